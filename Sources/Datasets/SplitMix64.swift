/// SplitMix64 (Steele, Lea, Flood 2014): a small seeded generator for shuffles, splits,
/// reservoir sampling and synthetic data.
///
/// Only 64-bit integer adds, xors, shifts and multiplies, so the stream is bitwise identical on
/// every platform and build. Bounded integers use Lemire's multiply-shift with rejection and
/// doubles take the top 53 bits, so derived values are platform-independent too.
package struct SplitMix64: RandomNumberGenerator, Sendable {
    package private(set) var state: UInt64

    /// Starts the stream at `seed`.
    package init(seed: UInt64) { state = seed }

    /// A generator for an independent stream derived from `(seed, stream)`, e.g. (seed, epoch).
    package init(seed: UInt64, stream: UInt64) {
        var mixer = SplitMix64(seed: seed ^ 0x6A09_E667_F3BC_C909)
        let a = mixer.next()
        state = a ^ SplitMix64.mix(stream &+ 0x9E37_79B9_7F4A_7C15)
    }

    /// The next 64 random bits.
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 finaliser (a bijection on 64-bit words).
    @inline(__always)
    package static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<bound` (bound > 0), unbiased.
    @inline(__always)
    package mutating func nextBelow(_ bound: UInt64) -> UInt64 {
        precondition(bound > 0, "bound must be positive")
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return m.high
    }

    /// A uniform double in [0, 1) with 53 random bits.
    @inline(__always)
    package mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// An approximately standard normal value: the Irwin–Hall sum of four uniforms, scaled to
    /// unit variance (support ±3.46). Uses only IEEE additions and multiplications, so it is
    /// bitwise reproducible across platforms (unlike Box–Muller, which needs libm).
    @inline(__always)
    package mutating func nextGaussianApproximation() -> Double {
        let s = nextUnit() + nextUnit() + nextUnit() + nextUnit()
        return (s - 2.0) * 1.7320508075688772
    }
}
