/// An encoded multipart message, ready to send frame by frame.
///
/// Header, metadata and a data chunk's bytes are ready-made byte arrays; a Float32 payload stays in
/// its ``FloatPayload`` so that the transport can send each ≤ 16 MiB frame without copying
/// (``withFrameBytes(at:_:)``), or copy it (``frame(at:)``).
package struct EncodedMessage: Sendable {
    /// Frames before the Float32 payload: header, metadata (if any), data-chunk bytes (if any).
    package let leadingFrames: [[UInt8]]
    /// The Float32 payload, carried in the frames after ``leadingFrames``.
    package let payload: FloatPayload?

    /// Total number of frames.
    package var frameCount: Int { leadingFrames.count + (payload?.frameCount ?? 0) }

    /// Calls `body` with frame `index`'s bytes, without copying the payload where the host allows it.
    /// The pointer is valid only inside `body`. Precondition: `index < frameCount`.
    package func withFrameBytes<R>(at index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if index < leadingFrames.count {
            return try leadingFrames[index].withUnsafeBytes { try body($0) }
        }
        guard let payload else { preconditionFailure("EncodedMessage: frame index \(index) out of range") }
        return try payload.withFrameBytes(at: index - leadingFrames.count, body)
    }

    /// A copy of frame `index`. Precondition: `index < frameCount`.
    package func frame(at index: Int) -> [UInt8] {
        if index < leadingFrames.count { return leadingFrames[index] }
        guard let payload else { preconditionFailure("EncodedMessage: frame index \(index) out of range") }
        return payload.frameBytes(at: index - leadingFrames.count)
    }

    /// Every frame as a byte array (copies the payload). Handy for in-process transports and tests.
    package var frames: [[UInt8]] { (0..<frameCount).map(frame(at:)) }
}
