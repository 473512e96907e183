/// Philox4x32-10, a counter-based random number generator (Salmon et al., SC'11).
///
/// The stream is a pure function of `(seed, stream, position)`: the same seed gives the same
/// numbers on every platform and every build, and any position can be reached in O(1) with
/// ``init(seed:stream:position:)``. Used for parameter initialisation, and reused by Datasets
/// and the training runtime for shuffles and splits.
package struct Philox: Sendable, RandomNumberGenerator {
    /// The 64-bit key (the seed).
    package let seed: UInt64
    /// The stream selector: independent sequences for the same seed.
    package let stream: UInt64
    /// Index of the next 32-bit output in the stream.
    package private(set) var position: UInt64

    private var block: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    private var blockIndex: UInt64 = .max

    /// Creates a generator at `position` (counted in 32-bit outputs) of `stream` for `seed`.
    package init(seed: UInt64, stream: UInt64 = 0, position: UInt64 = 0) {
        self.seed = seed
        self.stream = stream
        self.position = position
    }

    /// The raw Philox4x32-10 bijection: four 32-bit words for a 128-bit counter and 64-bit key.
    package static func block(counter: (UInt32, UInt32, UInt32, UInt32), key: (UInt32, UInt32))
        -> (UInt32, UInt32, UInt32, UInt32)
    {
        var c = counter
        var k = key
        for round in 0..<10 {
            if round > 0 {
                k.0 &+= 0x9E37_79B9
                k.1 &+= 0xBB67_AE85
            }
            let p0 = UInt64(0xD251_1F53) &* UInt64(c.0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c.2)
            let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
            let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
            c = (hi1 ^ c.1 ^ k.0, lo1, hi0 ^ c.3 ^ k.1, lo0)
        }
        return c
    }

    /// The next 32 random bits.
    package mutating func nextUInt32() -> UInt32 {
        let index = position >> 2
        if index != blockIndex {
            block = Philox.block(
                counter: (
                    UInt32(truncatingIfNeeded: index), UInt32(truncatingIfNeeded: index >> 32),
                    UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream >> 32)
                ),
                key: (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)))
            blockIndex = index
        }
        let lane = position & 3
        position &+= 1
        switch lane {
        case 0: return block.0
        case 1: return block.1
        case 2: return block.2
        default: return block.3
        }
    }

    /// The next 64 random bits (two 32-bit outputs, low word first).
    package mutating func next() -> UInt64 {
        let low = UInt64(nextUInt32())
        return low | (UInt64(nextUInt32()) << 32)
    }

    /// A uniform Float in [0, 1) with 24 random bits (exact on every platform).
    package mutating func nextFloat() -> Float {
        Float(nextUInt32() >> 8) * 0x1p-24
    }

    /// A uniform Double in [0, 1) with 53 random bits.
    package mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform integer in `0..<bound` without modulo bias (Lemire's method). `bound` must be > 0.
    package mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "Philox.nextInt(below:) needs a positive bound, got \(bound)")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// Shuffles `values` in place with Fisher–Yates; the permutation depends only on the
    /// generator state, never on the standard library's algorithm.
    package mutating func shuffle<T>(_ values: inout [T]) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            if i != j { values.swapAt(i, j) }
        }
    }

    /// A random permutation of `0..<count`.
    package mutating func permutation(_ count: Int) -> [Int] {
        var values = Array(0..<count)
        shuffle(&values)
        return values
    }
}
