/// A Float32 tensor carried by a message: either values to send, or received little-endian frames.
///
/// Received payloads keep the frames as they arrived (no copy); ``withChunks(_:)`` views them as
/// `Float` without copying on little-endian hosts when the frame storage is 4-byte aligned, and
/// ``toArray()`` makes one contiguous copy. Equality compares elements bit for bit (NaN payloads included).
package struct FloatPayload: Sendable, Equatable, CustomStringConvertible {
    enum Storage: Sendable {
        case values([Float])
        case frames([any ReceivedFrame])
        /// The elements are not in this message (they are in a shared-memory slot the receiver resolves).
        case absent
    }

    let storage: Storage

    /// The number of Float32 elements.
    package let count: Int

    /// A payload to send, holding `values`.
    package init(_ values: [Float]) {
        storage = .values(values)
        count = values.count
    }

    /// A payload of `count` elements that the message does not carry: a `gradientResult` whose sum is
    /// in a shared-memory slot. Reading its elements is a programming error; the receiver replaces it
    /// with the slot's contents before use.
    package static func notCarried(count: Int) -> FloatPayload { FloatPayload(absentCount: count) }

    private init(absentCount: Int) {
        storage = .absent
        count = absentCount
    }

    /// True for ``notCarried(count:)`` payloads.
    package var isCarried: Bool {
        if case .absent = storage { return false }
        return true
    }

    /// A received payload: validates that `frames` are exactly the frames ``PayloadFraming`` makes for
    /// `count` elements (frame count, each frame's byte length) before keeping them.
    ///
    /// - Throws: ``ProtocolError`` naming `kind` and the frame index (offset by `firstFrameIndex`).
    package init(littleEndianFrames frames: [[UInt8]], count: Int, kind: MessageKind, firstFrameIndex: Int = 0)
        throws(ProtocolError)
    {
        try self.init(
            received: frames.map(ByteArrayFrame.init), count: count, kind: kind, firstFrameIndex: firstFrameIndex)
    }

    /// A received payload whose frames stay in the transport's buffers (no copy); validated like
    /// ``init(littleEndianFrames:count:kind:firstFrameIndex:)``.
    package init(received frames: [any ReceivedFrame], count: Int, kind: MessageKind, firstFrameIndex: Int = 0)
        throws(ProtocolError)
    {
        guard count >= 0 else {
            throw .outOfRange(
                FieldPosition(kind: kind, field: "parameterCount", frame: 0, offset: 0), found: String(count),
                expected: "≥ 0")
        }
        let ranges = PayloadFraming.frameRanges(elementCount: count)
        guard frames.count == ranges.count else {
            throw .frameCountMismatch(
                kind, expected: firstFrameIndex + ranges.count, received: firstFrameIndex + frames.count)
        }
        for (index, range) in ranges.enumerated() where frames[index].count != range.count * 4 {
            throw .payloadFrameSize(
                kind, frame: firstFrameIndex + index, expected: range.count * 4, found: frames[index].count)
        }
        storage = .frames(frames)
        self.count = count
    }

    /// The number of wire frames this payload occupies.
    package var frameCount: Int { PayloadFraming.frameCount(elementCount: count) }

    /// Calls `body` with the little-endian bytes of payload frame `index` (0-based within the payload).
    ///
    /// Zero-copy for received frames, and for values on little-endian hosts; the pointer is valid only
    /// inside `body`. Precondition: `index < frameCount`.
    package func withFrameBytes<R>(at index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch storage {
        case .frames(let frames):
            return try frames[index].withUnsafeBytes { try body($0) }
        case .values(let values):
            let range = PayloadFraming.frameRanges(elementCount: count)[index]
            #if _endian(little)
                return try values.withUnsafeBytes { bytes in
                    try body(UnsafeRawBufferPointer(rebasing: bytes[(range.lowerBound * 4)..<(range.upperBound * 4)]))
                }
            #else
                let converted = values.withUnsafeBufferPointer {
                    PayloadFraming.littleEndianBytes(UnsafeBufferPointer(rebasing: $0[range]))
                }
                return try converted.withUnsafeBytes { try body($0) }
            #endif
        case .absent:
            preconditionFailure("the elements of a payload carried in shared memory were read before it was resolved")
        }
    }

    /// A copy of payload frame `index` as little-endian bytes.
    package func frameBytes(at index: Int) -> [UInt8] {
        withFrameBytes(at: index) { Array($0) }
    }

    /// Calls `body` with consecutive chunks of the elements, in order, each at most one frame long.
    ///
    /// No copy when the payload holds values, or holds aligned received frames on a little-endian host;
    /// otherwise each chunk is decoded into a temporary buffer. Pointers are valid only inside `body`.
    package func withChunks(_ body: (UnsafeBufferPointer<Float>) throws -> Void) rethrows {
        for index in 0..<frameCount { try withElements(ofFrame: index, body) }
    }

    /// Calls `body` with the elements of payload frame `index` (0-based within the payload): no
    /// copy when the payload holds values, or an aligned received frame on a little-endian host.
    /// Precondition: `index < frameCount`.
    package func withElements<R>(ofFrame index: Int, _ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        switch storage {
        case .values(let values):
            let range = PayloadFraming.frameRanges(elementCount: count)[index]
            return try values.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[range])) }
        case .frames(let frames):
            return try frames[index].withUnsafeBytes { try Self.view($0, body) }
        case .absent:
            preconditionFailure("the elements of a payload carried in shared memory were read before it was resolved")
        }
    }

    private static func view<R>(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeBufferPointer<Float>) throws -> R)
        rethrows -> R
    {
        let elements = bytes.count / 4
        #if _endian(little)
            if let base = bytes.baseAddress, Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0 {
                return try bytes.withMemoryRebound(to: Float.self) { try body($0) }
            }
        #endif
        let decoded = [Float](unsafeUninitializedCapacity: elements) { buffer, initialized in
            PayloadFraming.decodeLittleEndian(bytes, into: buffer)
            initialized = elements
        }
        return try decoded.withUnsafeBufferPointer { try body($0) }
    }

    /// The elements as one contiguous array: one copy for received frames. Complexity: O(count).
    package func toArray() -> [Float] {
        switch storage {
        case .values(let values):
            return values
        case .frames:
            return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                copy(into: buffer)
                initialized = count
            }
        case .absent:
            preconditionFailure("the elements of a payload carried in shared memory were read before it was resolved")
        }
    }

    /// Writes the elements into `destination`, which must hold exactly ``count`` elements: one
    /// copy, into memory the caller reuses. Complexity: O(count).
    package func copy(into destination: UnsafeMutableBufferPointer<Float>) {
        precondition(destination.count == count, "FloatPayload.copy(into:) needs exactly \(count) elements")
        switch storage {
        case .values(let values):
            values.withUnsafeBufferPointer { source in
                if let base = destination.baseAddress, let from = source.baseAddress {
                    base.update(from: from, count: count)
                }
            }
        case .frames(let frames):
            var start = 0
            for frame in frames {
                let elements = frame.count / 4
                frame.withUnsafeBytes { bytes in
                    PayloadFraming.decodeLittleEndian(
                        bytes, into: UnsafeMutableBufferPointer(rebasing: destination[start..<(start + elements)]))
                }
                start += elements
            }
        case .absent:
            preconditionFailure("the elements of a payload carried in shared memory were read before it was resolved")
        }
    }

    /// Calls `body` with each wire frame's little-endian bytes and an object that keeps those bytes
    /// alive and unchanged for as long as it lives: what a zero-copy send needs. On big-endian hosts
    /// the bytes are converted into a fresh buffer first.
    package func forEachRetainedFrame(_ body: (UnsafeRawBufferPointer, any AnyObject & Sendable) throws -> Void)
        rethrows
    {
        switch storage {
        case .frames(let frames):
            for frame in frames { try frame.withUnsafeBytes { try body($0, frame) } }
        case .values(let values):
            #if _endian(little)
                let retained = RetainedFloats(values)
                for range in PayloadFraming.frameRanges(elementCount: count) {
                    try body(
                        UnsafeRawBufferPointer(
                            rebasing: retained.bytes[(range.lowerBound * 4)..<(range.upperBound * 4)]), retained)
                }
            #else
                for index in 0..<frameCount {
                    let frame = ByteArrayFrame(frameBytes(at: index))
                    try frame.withUnsafeBytes { try body($0, frame) }
                }
            #endif
        case .absent:
            preconditionFailure("the elements of a payload carried in shared memory were read before it was resolved")
        }
    }

    /// Bitwise element equality. O(1) when both share the same value storage, O(count) otherwise.
    package static func == (lhs: FloatPayload, rhs: FloatPayload) -> Bool {
        guard lhs.count == rhs.count else { return false }
        switch (lhs.storage, rhs.storage) {
        case (.values(let left), .values(let right)):
            if Self.sharesStorage(left, right) { return true }
        case (.frames(let left), .frames(let right)):
            if left.count == right.count && zip(left, right).allSatisfy({ $0 === $1 }) { return true }
        case (.absent, .absent):
            return true
        case (.absent, _), (_, .absent):
            return false
        default:
            break
        }
        let left = lhs.toArray()
        let right = rhs.toArray()
        for index in 0..<left.count where left[index].bitPattern != right[index].bitPattern { return false }
        return true
    }

    private static func sharesStorage<T>(_ a: [T], _ b: [T]) -> Bool {
        a.count == b.count
            && a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.baseAddress == y.baseAddress } }
    }

    /// "FloatPayload(N elements)".
    package var description: String { "FloatPayload(\(count) elements)" }
}
