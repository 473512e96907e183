/// Every message of the training protocol, as a value.
package enum Message: Sendable, Equatable {
    case register(Register)
    case accept(Accept)
    case refuse(Refuse)
    case heartbeat(Heartbeat)
    case workAssignment(WorkAssignment)
    case dataChunkRequest(DataChunkRequest)
    case dataChunk(DataChunk)
    case parameterBroadcast(ParameterBroadcast)
    case catchUpRequest(CatchUpRequest)
    case gradientResult(GradientResult)
    case localSGDResult(LocalSGDResult)
    case shutdown(Shutdown)
    case error(ErrorReport)
    case resultRejected(ResultRejected)
    case sharedMemoryOffer(SharedMemoryOffer)

    /// The kind byte this message is sent with.
    package var kind: MessageKind { body.kindOfBody }

    var body: any WireBody {
        switch self {
        case .register(let value): value
        case .accept(let value): value
        case .refuse(let value): value
        case .heartbeat(let value): value
        case .workAssignment(let value): value
        case .dataChunkRequest(let value): value
        case .dataChunk(let value): value
        case .parameterBroadcast(let value): value
        case .catchUpRequest(let value): value
        case .gradientResult(let value): value
        case .localSGDResult(let value): value
        case .shutdown(let value): value
        case .error(let value): value
        case .resultRejected(let value): value
        case .sharedMemoryOffer(let value): value
        }
    }

    static func read(
        _ kind: MessageKind, header: inout FieldReader, metadata: inout FieldReader, payload: inout PayloadSource
    ) throws(ProtocolError) -> Message {
        switch kind {
        case .register: .register(try Register.read(header: &header, metadata: &metadata, payload: &payload))
        case .accept: .accept(try Accept.read(header: &header, metadata: &metadata, payload: &payload))
        case .refuse: .refuse(try Refuse.read(header: &header, metadata: &metadata, payload: &payload))
        case .heartbeat: .heartbeat(try Heartbeat.read(header: &header, metadata: &metadata, payload: &payload))
        case .workAssignment:
            .workAssignment(try WorkAssignment.read(header: &header, metadata: &metadata, payload: &payload))
        case .dataChunkRequest:
            .dataChunkRequest(try DataChunkRequest.read(header: &header, metadata: &metadata, payload: &payload))
        case .dataChunk: .dataChunk(try DataChunk.read(header: &header, metadata: &metadata, payload: &payload))
        case .parameterBroadcast:
            .parameterBroadcast(try ParameterBroadcast.read(header: &header, metadata: &metadata, payload: &payload))
        case .catchUpRequest:
            .catchUpRequest(try CatchUpRequest.read(header: &header, metadata: &metadata, payload: &payload))
        case .gradientResult:
            .gradientResult(try GradientResult.read(header: &header, metadata: &metadata, payload: &payload))
        case .localSGDResult:
            .localSGDResult(try LocalSGDResult.read(header: &header, metadata: &metadata, payload: &payload))
        case .shutdown: .shutdown(try Shutdown.read(header: &header, metadata: &metadata, payload: &payload))
        case .error: .error(try ErrorReport.read(header: &header, metadata: &metadata, payload: &payload))
        case .resultRejected:
            .resultRejected(try ResultRejected.read(header: &header, metadata: &metadata, payload: &payload))
        case .sharedMemoryOffer:
            .sharedMemoryOffer(try SharedMemoryOffer.read(header: &header, metadata: &metadata, payload: &payload))
        }
    }
}

extension WireBody {
    var kindOfBody: MessageKind { Self.kind }
}
