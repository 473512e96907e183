/// What the receiver knows before decoding: its role, its job and its model size.
package struct DecodingContext: Sendable, Equatable {
    /// Who is receiving; kinds never sent to this role are rejected.
    package var receiver: Role
    /// The receiver's job. When set, every message must carry it, except that a `register` may carry the
    /// unspecified id ("any job") and a `refuse` may carry any id (it explains the mismatch). When nil
    /// (a worker not yet accepted), any non-zero job id is accepted and returned in the ``Envelope``.
    package var jobID: JobID?
    /// The model size in parameters. When set, every Float32 payload must have exactly this many elements.
    package var parameterCount: Int?

    /// Creates a context.
    package init(receiver: Role, jobID: JobID?, parameterCount: Int? = nil) {
        self.receiver = receiver
        self.jobID = jobID
        self.parameterCount = parameterCount
    }
}

/// The frames after the header and metadata: validated received frames, or the values being encoded.
struct PayloadSource {
    enum Mode {
        case received(frames: [any ReceivedFrame], firstIndex: Int)
        case outgoing(floats: FloatPayload?, bytes: [UInt8]?)
    }

    let mode: Mode
    let expectedParameterCount: Int?
    private(set) var consumedFrames = 0

    init(_ mode: Mode, expectedParameterCount: Int?) {
        self.mode = mode
        self.expectedParameterCount = expectedParameterCount
    }

    /// Reads the u64 parameter count field, checks it against the limits and the model size, then
    /// takes the payload frames that carry it.
    mutating func floats(_ reader: inout FieldReader, field: String = "parameterCount") throws(ProtocolError)
        -> FloatPayload
    {
        let position = reader.position(field)
        let count = try checkedCount(&reader, field: field)
        switch mode {
        case .received(let frames, let firstIndex):
            let payload = try FloatPayload(
                received: frames, count: count, kind: reader.kind, firstFrameIndex: firstIndex)
            consumedFrames = frames.count
            return payload
        case .outgoing(let floats, _):
            guard let floats, floats.count == count else {
                throw .outOfRange(
                    position, found: String(floats?.count ?? 0), expected: "a payload of \(count) elements")
            }
            consumedFrames = floats.frameCount
            return floats
        }
    }

    /// Reads the u64 parameter count field of a message whose Float32 values are not in its frames
    /// (they are in shared memory): checks it like ``floats(_:field:)`` and takes no payload frame.
    mutating func declaredCount(_ reader: inout FieldReader, field: String = "parameterCount") throws(ProtocolError)
        -> Int
    {
        let count = try checkedCount(&reader, field: field)
        if case .received(let frames, let firstIndex) = mode, !frames.isEmpty {
            throw .frameCountMismatch(reader.kind, expected: firstIndex, received: firstIndex + frames.count)
        }
        consumedFrames = 0
        return count
    }

    /// The u64 count field, within the limits and equal to the model size when it is known.
    private func checkedCount(_ reader: inout FieldReader, field: String) throws(ProtocolError) -> Int {
        let position = reader.position(field)
        let declared = try reader.u64(field, in: 1...UInt64(WireConstants.maxParameterCount))
        if let expected = expectedParameterCount, declared != UInt64(expected) {
            throw .parameterCountMismatch(position, declared: declared, expected: expected)
        }
        return Int(declared)
    }

    /// Takes the byte payload of `length` bytes: one frame, or none when `length` is 0.
    mutating func bytes(length: Int, kind: MessageKind) throws(ProtocolError) -> [UInt8] {
        let frameCount = length > 0 ? 1 : 0
        switch mode {
        case .received(let frames, let firstIndex):
            guard frames.count == frameCount else {
                throw .frameCountMismatch(kind, expected: firstIndex + frameCount, received: firstIndex + frames.count)
            }
            consumedFrames = frameCount
            guard frameCount == 1 else { return [] }
            guard frames[0].count == length else {
                throw .payloadFrameSize(kind, frame: firstIndex, expected: length, found: frames[0].count)
            }
            return frames[0].byteArray
        case .outgoing(_, let bytes):
            consumedFrames = frameCount
            return bytes ?? []
        }
    }
}

/// One message kind's layout: its header body after the common header, its metadata and its payload.
protocol WireBody: Sendable {
    static var kind: MessageKind { get }
    /// Writes the header fields from offset 32 and the metadata fields (if the kind has metadata).
    func write(header: inout FieldWriter, metadata: inout FieldWriter)
    /// Reads and validates the fields in the same order as `write`.
    static func read(header: inout FieldReader, metadata: inout FieldReader, payload: inout PayloadSource)
        throws(ProtocolError) -> Self
    /// The Float32 payload, for kinds that carry one.
    var floatPayload: FloatPayload? { get }
    /// The raw byte payload, for `dataChunk`.
    var bytePayload: [UInt8]? { get }
}

extension WireBody {
    var floatPayload: FloatPayload? { nil }
    var bytePayload: [UInt8]? { nil }
}
