/// Splitting Float32 tensors into ≤ 16 MiB little-endian frames and reassembling them.
///
/// A payload of `n` elements is carried in `ceil(n / 4,194,304)` frames: every frame holds exactly
/// ``WireConstants/maxFrameElements`` elements (16 MiB) except the last, which holds the rest;
/// an empty payload has no frames. Elements are IEEE 754 binary32 bit patterns, little-endian,
/// whatever the host's byte order.
package enum PayloadFraming {
    /// The number of frames that carry `elementCount` elements (0 for an empty payload).
    package static func frameCount(elementCount: Int) -> Int {
        guard elementCount > 0 else { return 0 }
        return 1 + (elementCount - 1) / WireConstants.maxFrameElements
    }

    /// The element ranges of each frame, in order. Complexity: O(frames).
    package static func frameRanges(elementCount: Int) -> [Range<Int>] {
        (0..<frameCount(elementCount: elementCount)).map { frame in
            let start = frame * WireConstants.maxFrameElements
            return start..<min(start + WireConstants.maxFrameElements, elementCount)
        }
    }

    /// Splits `values` into little-endian frames of at most 16 MiB. Complexity: O(n), one copy.
    package static func split(_ values: [Float]) -> [[UInt8]] {
        values.withUnsafeBufferPointer { buffer in
            frameRanges(elementCount: buffer.count).map { littleEndianBytes(UnsafeBufferPointer(rebasing: buffer[$0])) }
        }
    }

    /// Reassembles frames made by ``split(_:)`` into `count` elements, validating the frame count and
    /// every frame's length first (nothing is allocated until the bytes are known to be there).
    ///
    /// - Throws: ``ProtocolError/frameCountMismatch(_:expected:received:)`` or
    ///   ``ProtocolError/payloadFrameSize(_:frame:expected:found:)``, reported against `kind`
    ///   with frame indices offset by `firstFrameIndex`.
    package static func reassemble(
        _ frames: [[UInt8]], count: Int, kind: MessageKind = .parameterBroadcast, firstFrameIndex: Int = 0
    ) throws(ProtocolError) -> [Float] {
        try FloatPayload(littleEndianFrames: frames, count: count, kind: kind, firstFrameIndex: firstFrameIndex)
            .toArray()
    }

    /// The little-endian bytes of `values`: one copy (a `memcpy` on little-endian hosts).
    package static func littleEndianBytes(_ values: UnsafeBufferPointer<Float>) -> [UInt8] {
        #if _endian(little)
            return Array(UnsafeRawBufferPointer(values))
        #else
            return portableLittleEndianBytes(values)
        #endif
    }

    /// Decodes little-endian bytes (a multiple of 4) into `destination`, which must hold `bytes.count / 4` elements.
    package static func decodeLittleEndian(
        _ bytes: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(bytes.count == destination.count * 4, "decodeLittleEndian: byte count must be 4 × element count")
        #if _endian(little)
            if let base = destination.baseAddress, let source = bytes.baseAddress {
                UnsafeMutableRawPointer(base).copyMemory(from: source, byteCount: bytes.count)
            }
        #else
            portableDecode(bytes, into: destination)
        #endif
    }

    /// Byte-order-independent encoding through bit patterns; the reference the fast path is tested against.
    static func portableLittleEndianBytes(_ values: UnsafeBufferPointer<Float>) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: values.count * 4)
        for (index, value) in values.enumerated() {
            let bits = value.bitPattern
            bytes[4 * index] = UInt8(truncatingIfNeeded: bits)
            bytes[4 * index + 1] = UInt8(truncatingIfNeeded: bits >> 8)
            bytes[4 * index + 2] = UInt8(truncatingIfNeeded: bits >> 16)
            bytes[4 * index + 3] = UInt8(truncatingIfNeeded: bits >> 24)
        }
        return bytes
    }

    /// Byte-order-independent decoding through bit patterns; the reference the fast path is tested against.
    static func portableDecode(_ bytes: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>) {
        for index in 0..<destination.count {
            let bits =
                UInt32(bytes[4 * index]) | UInt32(bytes[4 * index + 1]) << 8
                | UInt32(bytes[4 * index + 2]) << 16 | UInt32(bytes[4 * index + 3]) << 24
            destination[index] = Float(bitPattern: bits)
        }
    }
}
