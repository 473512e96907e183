/// A message with its job id: the unit that is encoded to, and decoded from, a multipart message.
package struct Envelope: Sendable, Equatable {
    /// The job the message belongs to (``JobID/unspecified`` only in a `register` meaning "any job").
    package var jobID: JobID
    /// The header's protocol version: always ``WireConstants/protocolVersion`` except in a received
    /// `refuse`, which is readable from any version.
    package var protocolVersion: UInt16
    /// The message.
    package var message: Message

    /// Wraps `message` for `jobID` at the current protocol version.
    package init(jobID: JobID, message: Message) {
        self.jobID = jobID
        self.protocolVersion = WireConstants.protocolVersion
        self.message = message
    }

    init(jobID: JobID, protocolVersion: UInt16, message: Message) {
        self.jobID = jobID
        self.protocolVersion = protocolVersion
        self.message = message
    }

    /// The PUB/SUB subscription prefix for `jobID`'s broadcasts: the first 22 header bytes
    /// (magic, protocol version, job id). Subscribing to it delivers only this job's broadcasts.
    package static func subscriptionPrefix(jobID: JobID) -> [UInt8] {
        var writer = FieldWriter(capacity: 22)
        writer.raw(WireConstants.magic)
        writer.u16(WireConstants.protocolVersion)
        writer.raw(jobID.bytes)
        return writer.bytes
    }

    /// Encodes to frames: header, metadata (if the kind has one), payload frames.
    ///
    /// The header and metadata are checked by the same rules as ``decode(_:context:)``, so whatever
    /// encodes also decodes. Complexity: O(header + metadata); Float32 payloads are not copied here.
    /// - Throws: ``ProtocolError`` when a field is out of range (e.g. a host name over 255 bytes).
    package func encode() throws(ProtocolError) -> EncodedMessage {
        let body = message.body
        let kind = message.kind
        var header = FieldWriter(capacity: kind.headerSize)
        header.raw(WireConstants.magic)
        header.u16(WireConstants.protocolVersion)
        header.raw(jobID.bytes)
        header.u8(kind.rawValue)
        header.u8(0)
        header.u16(0)
        header.u16(0)
        header.u32(0)
        var metadata = FieldWriter()
        body.write(header: &header, metadata: &metadata)

        var leading = [header.bytes]
        if kind.hasMetadata { leading.append(metadata.bytes) }
        let floatPayload = body.floatPayload
        if let bytes = body.bytePayload, !bytes.isEmpty { leading.append(bytes) }
        let frameCount = leading.count + (floatPayload?.frameCount ?? 0)
        header.patch(UInt64(header.bytes.count), size: 2, at: 24)
        header.patch(UInt64(frameCount), size: 4, at: 28)
        leading[0] = header.bytes
        guard frameCount <= WireConstants.maxFrames else {
            throw .tooManyFrames(received: frameCount, limit: WireConstants.maxFrames)
        }
        for (index, frame) in leading.enumerated() where frame.count > WireConstants.maxFrameBytes {
            throw .frameTooLarge(frame: index, bytes: frame.count, limit: WireConstants.maxFrameBytes)
        }

        let context = DecodingContext(receiver: kind.isReceivable(by: .worker) ? .worker : .coordinator, jobID: jobID)
        let controlCount = kind.hasMetadata ? 2 : 1
        let parsed = try Self.parse(
            leading.prefix(controlCount).map(ByteArrayFrame.init), frameCount: frameCount, context: context
        ) { _ in
            .outgoing(floats: floatPayload, bytes: body.bytePayload)
        }
        guard parsed.message == message else {
            throw .notEncodable(
                kind,
                reason: "a field's value does not fit its wire type (the bytes would decode to a different message)")
        }
        return EncodedMessage(leadingFrames: leading, payload: floatPayload)
    }

    /// Decodes and validates a received multipart message (routing-id frame already stripped).
    ///
    /// Checks, in order: frame count and sizes, magic, version, kind and its direction, flags, header
    /// size, reserved bytes, declared frame count, job id, every field's range, metadata lengths and
    /// UTF-8, payload frame count and lengths against the declared and expected parameter count.
    /// Nothing is allocated from a declared length before the bytes are known to be present.
    /// Complexity: O(header + metadata); payload frames are kept, not copied.
    /// - Throws: ``ProtocolError`` naming the first problem found.
    package static func decode(_ frames: [[UInt8]], context: DecodingContext) throws(ProtocolError) -> Envelope {
        try decode(received: frames.map(ByteArrayFrame.init), context: context)
    }

    /// ``decode(_:context:)`` for frames left in the transport's buffers: the header and metadata
    /// are copied (they are small), Float32 payload frames are kept as they are (no copy).
    package static func decode(received frames: [any ReceivedFrame], context: DecodingContext) throws(ProtocolError)
        -> Envelope
    {
        guard !frames.isEmpty else { throw .noFrames }
        guard frames.count <= WireConstants.maxFrames else {
            throw .tooManyFrames(received: frames.count, limit: WireConstants.maxFrames)
        }
        for (index, frame) in frames.enumerated() where frame.count > WireConstants.maxFrameBytes {
            throw .frameTooLarge(frame: index, bytes: frame.count, limit: WireConstants.maxFrameBytes)
        }
        return try parse(frames, frameCount: frames.count, context: context) { first in
            .received(frames: Array(frames[min(first, frames.count)...]), firstIndex: first)
        }
    }

    /// Validates the common header, then reads the kind's fields; `payloadFrom` supplies the frames
    /// from the given index on (received frames, or the values being encoded).
    private static func parse(
        _ frames: [any ReceivedFrame], frameCount: Int, context: DecodingContext,
        payloadFrom: (Int) -> PayloadSource.Mode
    ) throws(ProtocolError) -> Envelope {
        let head = frames[0].byteArray
        guard head.count >= WireConstants.commonHeaderSize else {
            throw .headerTruncated(bytes: head.count, minimum: WireConstants.commonHeaderSize)
        }
        guard Array(head[0..<4]) == WireConstants.magic else { throw .badMagic(found: Array(head[0..<4])) }
        let version = UInt16(head[4]) | UInt16(head[5]) << 8
        let kindCode = head[22]
        let isRefusal = kindCode == MessageKind.refuse.rawValue && version >= 1
        guard version == WireConstants.protocolVersion || isRefusal else {
            throw .unsupportedVersion(found: version, supported: WireConstants.protocolVersion)
        }
        guard let kind = MessageKind(rawValue: kindCode) else { throw .unknownKind(code: kindCode) }
        guard kind.isReceivable(by: context.receiver) else { throw .unexpectedKind(kind, receiver: context.receiver) }
        guard head[23] == 0 else { throw .nonZeroFlags(kind, found: head[23]) }
        let declaredSize = Int(head[24]) | Int(head[25]) << 8
        guard declaredSize == kind.headerSize, head.count == kind.headerSize else {
            throw .headerSizeMismatch(kind, declared: declaredSize, actual: head.count, expected: kind.headerSize)
        }
        let reserved = UInt64(head[26]) | UInt64(head[27]) << 8
        guard reserved == 0 else {
            throw .reservedNotZero(FieldPosition(kind: kind, field: "reserved", frame: 0, offset: 26), found: reserved)
        }
        let declaredFrames = Int(head[28]) | Int(head[29]) << 8 | Int(head[30]) << 16 | Int(head[31]) << 24
        guard declaredFrames == frameCount else {
            throw .frameCountMismatch(kind, expected: declaredFrames, received: frameCount)
        }

        let jobID = JobID(validatedBytes: Array(head[6..<22]))
        if jobID.isUnspecified && kind != .register { throw .missingJobID(kind) }
        if let expected = context.jobID, kind != .refuse, !(kind == .register && jobID.isUnspecified), jobID != expected
        {
            throw .jobMismatch(kind, expected: expected, found: jobID)
        }

        let metadataCount = kind.hasMetadata ? 1 : 0
        guard frames.count > metadataCount else {
            throw .frameCountMismatch(kind, expected: 1 + metadataCount, received: frames.count)
        }
        var header = FieldReader(head, kind: kind, frame: 0, offset: WireConstants.commonHeaderSize)
        var metadata = FieldReader(kind.hasMetadata ? frames[1].byteArray : [], kind: kind, frame: 1)
        var payload = PayloadSource(payloadFrom(1 + metadataCount), expectedParameterCount: context.parameterCount)
        let message = try Message.read(kind, header: &header, metadata: &metadata, payload: &payload)
        try header.finish()
        try metadata.finish()
        let expectedFrames = 1 + metadataCount + payload.consumedFrames
        guard expectedFrames == frameCount else {
            throw .frameCountMismatch(kind, expected: expectedFrames, received: frameCount)
        }
        return Envelope(jobID: jobID, protocolVersion: version, message: message)
    }
}
