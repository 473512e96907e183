import HexText

/// A job's unique id: a 16-byte UUID carried in every header at offset 6.
///
/// The all-zero id (``JobID/unspecified``) is only valid in a `register` message and means
/// "join whatever job the coordinator runs"; a worker that has been accepted once must
/// register with that job's id from then on.
package struct JobID: Hashable, Sendable, CustomStringConvertible {
    /// The 16 bytes in RFC 4122 (network) order.
    package let bytes: [UInt8]

    /// The all-zero id: "any job" in a registration, invalid everywhere else.
    package static let unspecified = JobID(validatedBytes: [UInt8](repeating: 0, count: 16))

    /// Creates an id from exactly 16 bytes; returns nil for any other length.
    package init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    init(validatedBytes: [UInt8]) { self.bytes = validatedBytes }

    /// Parses the canonical text form `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (either case); nil if malformed.
    package init?(uuidString: String) {
        let hex = uuidString.filter { $0 != "-" }
        let dashes = uuidString.enumerated().filter { $0.element == "-" }.map(\.offset)
        guard dashes == [8, 13, 18, 23], let parsed = HexText.decode(hex), parsed.count == 16 else { return nil }
        self.bytes = parsed
    }

    /// A random version-4 UUID from the system generator.
    package static func random() -> JobID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// A random version-4 UUID from `generator` (deterministic generators make deterministic ids).
    package static func random<G: RandomNumberGenerator>(using generator: inout G) -> JobID {
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return JobID(validatedBytes: bytes)
    }

    /// True for the all-zero id.
    package var isUnspecified: Bool { bytes.allSatisfy { $0 == 0 } }

    /// The canonical lowercase UUID text.
    package var description: String {
        let hex = HexText.encode(bytes)
        let cuts = [0, 8, 12, 16, 20, 32]
        return (0..<5).map { part in
            let start = hex.index(hex.startIndex, offsetBy: cuts[part])
            let end = hex.index(hex.startIndex, offsetBy: cuts[part + 1])
            return String(hex[start..<end])
        }.joined(separator: "-")
    }
}

/// A worker process's identity: 16 random bytes, unique per process and job, first byte non-zero.
///
/// The first byte is non-zero so that the identity can be used as a ZeroMQ routing id
/// (ids starting with a zero byte are reserved by libzmq).
package struct WorkerIdentity: Hashable, Sendable, CustomStringConvertible {
    /// The 16 bytes.
    package let bytes: [UInt8]

    /// Creates an identity from exactly 16 bytes whose first byte is non-zero; nil otherwise.
    package init?(bytes: [UInt8]) {
        guard bytes.count == 16, bytes[0] != 0 else { return nil }
        self.bytes = bytes
    }

    init(unvalidatedBytes: [UInt8]) { self.bytes = unvalidatedBytes }

    /// A fresh random identity from the system generator.
    package static func random() -> WorkerIdentity {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// A random identity from `generator`.
    package static func random<G: RandomNumberGenerator>(using generator: inout G) -> WorkerIdentity {
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[0] = UInt8.random(in: 1...255, using: &generator)
        return WorkerIdentity(unvalidatedBytes: bytes)
    }

    /// The 32 lowercase hex digits.
    package var description: String { HexText.encode(bytes) }
}

/// A SHA-256 content digest (32 bytes): identifies a dataset version or a job configuration.
package struct ContentDigest: Hashable, Sendable, CustomStringConvertible {
    /// The 32 digest bytes.
    package let bytes: [UInt8]

    /// Creates a digest from exactly 32 bytes; nil for any other length.
    package init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    init(validatedBytes: [UInt8]) { self.bytes = validatedBytes }

    /// Parses 64 hex digits (either case); nil if malformed.
    package init?(hex: String) {
        guard let parsed = HexText.decode(hex), parsed.count == 32 else { return nil }
        self.bytes = parsed
    }

    /// The 64 lowercase hex digits.
    package var description: String { HexText.encode(bytes) }
}
