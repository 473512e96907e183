/// Either direction: "I am alive". Sent every heartbeat interval by both sides.
///
/// Header (48 bytes): sequence 32, lastParameterVersion 40. No metadata, no payload.
package struct Heartbeat: WireBody, Equatable {
    static let kind = MessageKind.heartbeat

    /// Counts up from 0 per sender and connection; lets the receiver spot gaps.
    package var sequence: UInt64
    /// The newest parameter version the sender has (coordinator: current; worker: last received), 0 = none.
    package var lastParameterVersion: UInt64

    /// Creates a heartbeat.
    package init(sequence: UInt64, lastParameterVersion: UInt64) {
        self.sequence = sequence
        self.lastParameterVersion = lastParameterVersion
    }

    func write(header: inout FieldWriter, metadata: inout FieldWriter) {
        header.u64(sequence)
        header.u64(lastParameterVersion)
    }

    static func read(header: inout FieldReader, metadata: inout FieldReader, payload: inout PayloadSource)
        throws(ProtocolError) -> Heartbeat
    {
        Heartbeat(sequence: try header.u64("sequence"), lastParameterVersion: try header.u64("lastParameterVersion"))
    }
}

/// Worker → coordinator: "send me the current parameters" (the reply is a `parameterBroadcast` on the
/// control channel). Sent after `accept`, or when a broadcast version was missed.
///
/// Header (40 bytes): haveVersion 32 (0 = none).
package struct CatchUpRequest: WireBody, Equatable {
    static let kind = MessageKind.catchUpRequest

    /// The newest version the worker holds, 0 for none.
    package var haveVersion: UInt64

    /// Creates a request.
    package init(haveVersion: UInt64) { self.haveVersion = haveVersion }

    func write(header: inout FieldWriter, metadata: inout FieldWriter) {
        header.u64(haveVersion)
    }

    static func read(header: inout FieldReader, metadata: inout FieldReader, payload: inout PayloadSource)
        throws(ProtocolError) -> CatchUpRequest
    {
        CatchUpRequest(haveVersion: try header.u64("haveVersion"))
    }
}

/// Coordinator → workers: a new parameter version. On the PUB socket (topic = first 22 header bytes),
/// or on the control channel as the answer to a `catchUpRequest`.
///
/// Header (56 bytes): version 32, step 40, parameterCount 48. Payload: the parameters.
package struct ParameterBroadcast: WireBody, Equatable {
    static let kind = MessageKind.parameterBroadcast

    /// The parameter version (≥ 1; version 1 is the initial parameters, +1 per optimizer update).
    package var version: UInt64
    /// The number of optimizer steps applied to reach this version.
    package var step: UInt64
    /// The parameters in the model's flat layout.
    package var parameters: FloatPayload

    /// Creates a broadcast.
    package init(version: UInt64, step: UInt64, parameters: FloatPayload) {
        self.version = version
        self.step = step
        self.parameters = parameters
    }

    var floatPayload: FloatPayload? { parameters }

    func write(header: inout FieldWriter, metadata: inout FieldWriter) {
        header.u64(version)
        header.u64(step)
        header.u64(UInt64(parameters.count))
    }

    static func read(header: inout FieldReader, metadata: inout FieldReader, payload: inout PayloadSource)
        throws(ProtocolError) -> ParameterBroadcast
    {
        let version = try header.u64("version", in: 1...UInt64.max)
        let step = try header.u64("step")
        return ParameterBroadcast(version: version, step: step, parameters: try payload.floats(&header))
    }
}
