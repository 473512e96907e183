/// One received frame's bytes, left where the transport put them.
///
/// A transport (e.g. a ZeroMQ message) conforms so that ``Envelope/decode(received:context:)`` can
/// keep Float32 payload frames without copying them into Swift arrays; the object keeps the bytes
/// alive and must never change them.
package protocol ReceivedFrame: AnyObject, Sendable {
    /// Size in bytes.
    var count: Int { get }
    /// Calls `body` with the bytes, valid only inside the call.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension ReceivedFrame {
    /// A copy of the bytes.
    var byteArray: [UInt8] { withUnsafeBytes { Array($0) } }
}

/// A received frame held in a byte array (in-process transports, tests).
package final class ByteArrayFrame: ReceivedFrame {
    package let bytes: [UInt8]

    package init(_ bytes: [UInt8]) { self.bytes = bytes }

    package var count: Int { bytes.count }

    package func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes(body)
    }
}

/// Keeps a `[Float]`'s storage alive and unchanged for zero-copy sends: while the object lives,
/// ``bytes`` stays valid (the array is held and never mutated, so copy-on-write never moves it).
package final class RetainedFloats: @unchecked Sendable {
    package let values: [Float]
    /// The array's elements as little-endian bytes (little-endian hosts only).
    package let bytes: UnsafeRawBufferPointer

    init(_ values: [Float]) {
        self.values = values
        // A native array's element storage is one heap object that does not move while it is
        // referenced and unmodified; `values` is a `let`, so the pointer stays valid with `self`.
        bytes = values.withUnsafeBytes { $0 }
    }
}
