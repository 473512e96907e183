import TrainingProtocol

/// The error decoding `frames` throws, or nil if it decodes.
func decodeError(_ frames: [[UInt8]], _ context: DecodingContext) -> ProtocolError? {
    do {
        _ = try Envelope.decode(frames, context: context)
        return nil
    } catch {
        return error
    }
}

/// The error encoding `message` throws, or nil if it encodes.
func encodeError(_ message: Message, job: JobID = Samples.job) -> ProtocolError? {
    do {
        _ = try Envelope(jobID: job, message: message).encode()
        return nil
    } catch {
        return error
    }
}

/// Overwrites a little-endian value of `size` bytes at `offset` in frame `frame`.
func patch(_ frames: inout [[UInt8]], frame: Int = 0, at offset: Int, size: Int, _ value: UInt64) {
    for index in 0..<size {
        frames[frame][offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))
    }
}

/// Sets the declared frame count (header offset 28) to the actual number of frames.
func fixFrameCount(_ frames: inout [[UInt8]]) {
    patch(&frames, at: 28, size: 4, UInt64(frames.count))
}

/// Whether `error` is an out-of-range error for `field` at `offset` of `frame`.
func isOutOfRange(_ error: ProtocolError?, _ field: String, frame: Int = 0, offset: Int) -> Bool {
    guard case .outOfRange(let position, _, _) = error else { return false }
    return position.field == field && position.frame == frame && position.offset == offset
}
