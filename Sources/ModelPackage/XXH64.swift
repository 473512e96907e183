/// XXH64 (https://github.com/Cyan4973/xxHash, spec in doc/xxhash_spec.md), streaming.
///
/// A fast non-cryptographic checksum for detecting corrupt or truncated files: several GB/s in a
/// release build, so checksumming a checkpoint costs a fraction of writing it. Not a defence
/// against tampering (use SHA-256 digests for identity).
package struct XXH64: Sendable {
    private static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    private var v1, v2, v3, v4: UInt64
    private let seed: UInt64
    private var total: UInt64 = 0
    /// Bytes not yet consumed as a 32-byte stripe.
    private var pending: [UInt8] = []

    package init(seed: UInt64 = 0) {
        self.seed = seed
        v1 = seed &+ Self.p1 &+ Self.p2
        v2 = seed &+ Self.p2
        v3 = seed
        v4 = seed &- Self.p1
    }

    @inline(__always) private static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
    @inline(__always) private static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotl(acc &+ input &* p2, 31) &* p1
    }
    @inline(__always) private static func merge(_ acc: UInt64, _ v: UInt64) -> UInt64 {
        (acc ^ round(0, v)) &* p1 &+ p4
    }

    /// Feeds bytes.
    package mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        total &+= UInt64(bytes.count)
        var start = 0
        if !pending.isEmpty {
            let take = min(32 - pending.count, bytes.count)
            pending += bytes[0..<take]
            start = take
            guard pending.count == 32 else { return }
            pending.withUnsafeBytes { stripes($0) }
            pending.removeAll(keepingCapacity: true)
        }
        let rest = UnsafeRawBufferPointer(rebasing: bytes[start...])
        let whole = rest.count / 32 * 32
        if whole > 0 { stripes(UnsafeRawBufferPointer(rebasing: rest[0..<whole])) }
        pending += rest[whole...]
    }

    private mutating func stripes(_ b: UnsafeRawBufferPointer) {
        var a1 = v1, a2 = v2, a3 = v3, a4 = v4
        var i = 0
        while i < b.count {
            a1 = Self.round(a1, UInt64(littleEndian: b.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            a2 = Self.round(a2, UInt64(littleEndian: b.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)))
            a3 = Self.round(a3, UInt64(littleEndian: b.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)))
            a4 = Self.round(a4, UInt64(littleEndian: b.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)))
            i += 32
        }
        v1 = a1; v2 = a2; v3 = a3; v4 = a4
    }

    /// The hash of everything fed so far.
    package var digest: UInt64 {
        var h: UInt64
        if total >= 32 {
            h = Self.rotl(v1, 1) &+ Self.rotl(v2, 7) &+ Self.rotl(v3, 12) &+ Self.rotl(v4, 18)
            h = Self.merge(h, v1); h = Self.merge(h, v2); h = Self.merge(h, v3); h = Self.merge(h, v4)
        } else {
            h = seed &+ Self.p5
        }
        h &+= total
        pending.withUnsafeBytes { b in
            var i = 0
            while i + 8 <= b.count {
                h ^= Self.round(0, UInt64(littleEndian: b.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                h = Self.rotl(h, 27) &* Self.p1 &+ Self.p4
                i += 8
            }
            if i + 4 <= b.count {
                h ^= UInt64(UInt32(littleEndian: b.loadUnaligned(fromByteOffset: i, as: UInt32.self))) &* Self.p1
                h = Self.rotl(h, 23) &* Self.p2 &+ Self.p3
                i += 4
            }
            while i < b.count {
                h ^= UInt64(b[i]) &* Self.p5
                h = Self.rotl(h, 11) &* Self.p1
                i += 1
            }
        }
        h ^= h >> 33; h = h &* Self.p2
        h ^= h >> 29; h = h &* Self.p3
        h ^= h >> 32
        return h
    }

    /// ``digest`` as 16 lowercase hex digits.
    package var hexDigest: String {
        let s = String(digest, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// The hash of `bytes` in one call.
    package static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        var h = XXH64(seed: seed)
        bytes.withUnsafeBytes { h.update($0) }
        return h.digest
    }
}
