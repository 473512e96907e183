// Vectorised elementary functions on `SIMD8<Float>` (one AVX2 register), used by the kernels.
//
// Polynomials follow Cephes (`expf`, `logf`, `tanhf`); the float-to-integer step of `exp` uses
// the 1.5·2²³ "magic number" trick instead of a generic SIMD conversion. Accuracy is a few ULP
// against libm in the ranges the kernels use; tests compare them with the scalar twins.

/// Sum of the lanes as a balanced tree (not 8 sequential adds).
@inline(__always)
package func treeSum(_ v: SIMD8<Float>) -> Float {
    let a = v.lowHalf + v.highHalf
    let b = a.lowHalf + a.highHalf
    return b[0] + b[1]
}

/// Sum of the lanes as a balanced tree.
@inline(__always)
package func treeSum(_ v: SIMD16<Float>) -> Float {
    treeSum(v.lowHalf + v.highHalf)
}

/// Maximum of the lanes as a balanced tree.
@inline(__always)
package func treeMax(_ v: SIMD8<Float>) -> Float {
    let a = pointwiseMax(v.lowHalf, v.highHalf)
    let b = pointwiseMax(a.lowHalf, a.highHalf)
    return max(b[0], b[1])
}

/// Loads `count` (0...8) floats, filling the remaining lanes with `padding`.
@inline(__always)
package func loadPartial(_ pointer: UnsafePointer<Float>, count: Int, padding: Float = 0) -> SIMD8<Float> {
    var v = SIMD8<Float>(repeating: padding)
    for i in 0..<count { v[i] = pointer[i] }
    return v
}

/// Stores the first `count` (0...8) lanes of `v`.
@inline(__always)
package func storePartial(_ v: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { pointer[i] = v[i] }
}

/// Unaligned 8-lane load.
@inline(__always)
package func load8(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

/// Unaligned 8-lane store.
@inline(__always)
package func store8(_ v: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: v, as: SIMD8<Float>.self)
}

package enum VectorMath {
    /// e^x per lane. Inputs above 88 give e^88; inputs below −87 give 0 (flush instead of
    /// denormals); NaN gives NaN.
    @inline(__always)
    package static func exp(_ input: SIMD8<Float>) -> SIMD8<Float> {
        var x = input.replacing(with: -87.0, where: input .< -87.0)
        x = x.replacing(with: 88.0, where: x .> 88.0)
        let magic = SIMD8<Float>(repeating: 12_582_912.0)  // 1.5 · 2²³
        let t = magic.addingProduct(x, SIMD8(repeating: 1.442_695_04))
        let n = t - magic
        var r = x.addingProduct(n, SIMD8(repeating: -0.693_359_375))
        r = r.addingProduct(n, SIMD8(repeating: 2.121_944_4e-4))
        var p = SIMD8<Float>(repeating: 1.398_199_950_7e-3).addingProduct(r, SIMD8(repeating: 1.987_569_15e-4))
        p = SIMD8<Float>(repeating: 8.333_451_907_3e-3).addingProduct(p, r)
        p = SIMD8<Float>(repeating: 4.166_579_589_4e-2).addingProduct(p, r)
        p = SIMD8<Float>(repeating: 1.666_666_545_9e-1).addingProduct(p, r)
        p = SIMD8<Float>(repeating: 5.000_000_120_1e-1).addingProduct(p, r)
        let y = (r + 1).addingProduct(p, r * r)
        let exponent = (bits(t) &- bits(magic) &+ 127) &<< 23
        let result = y * float(bits: exponent)
        return result.replacing(with: 0, where: input .< -87.0)
    }

    /// Natural logarithm per lane for positive normal inputs (Cephes `logf`).
    @inline(__always)
    package static func log(_ input: SIMD8<Float>) -> SIMD8<Float> {
        let inputBits = bits(input)
        // Exponent as a float without an int→float conversion: 2²³ + e is exact in the mantissa.
        var e = float(bits: ((inputBits &>> 23) & 0xff) | 0x4b00_0000) - (8_388_608 + 126)
        var m = float(bits: (inputBits & 0x007f_ffff) | 0x3f00_0000)
        let small = m .< 0.707_106_781_186_547_524
        e = e.replacing(with: e - 1, where: small)
        m = (m + m.replacing(with: 0, where: .!small)) - 1
        let z = m * m
        var y = SIMD8<Float>(repeating: -1.151_461_031_0e-1).addingProduct(m, SIMD8(repeating: 7.037_683_629_2e-2))
        y = SIMD8<Float>(repeating: 1.167_699_874_0e-1).addingProduct(y, m)
        y = SIMD8<Float>(repeating: -1.242_014_084_6e-1).addingProduct(y, m)
        y = SIMD8<Float>(repeating: 1.424_932_278_7e-1).addingProduct(y, m)
        y = SIMD8<Float>(repeating: -1.666_805_766_5e-1).addingProduct(y, m)
        y = SIMD8<Float>(repeating: 2.000_071_476_5e-1).addingProduct(y, m)
        y = SIMD8<Float>(repeating: -2.499_999_399_3e-1).addingProduct(y, m)
        y = SIMD8<Float>(repeating: 3.333_333_117_4e-1).addingProduct(y, m)
        y = y * m * z
        y = y.addingProduct(e, SIMD8(repeating: -2.121_944_40e-4))
        y = y.addingProduct(z, SIMD8(repeating: -0.5))
        return (m + y).addingProduct(e, SIMD8(repeating: 0.693_359_375))
    }

    /// log(1 + t) per lane for t ≥ 0, with the rounding of `1 + t` compensated.
    @inline(__always)
    package static func log1p(_ t: SIMD8<Float>) -> SIMD8<Float> {
        let u = t + 1
        let correction = ((u - 1) - t) / u
        return log(u) - correction
    }

    /// Logistic sigmoid 1 / (1 + e^(−x)), evaluated without overflow for any sign.
    @inline(__always)
    package static func sigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let t = exp(-abs(x))
        let inverse = 1 / (1 + t)
        return (inverse * t).replacing(with: inverse, where: x .>= 0)
    }

    /// Hyperbolic tangent per lane: a polynomial for |x| < 0.625, else (1 − e^(−2|x|)) / (1 + e^(−2|x|)).
    @inline(__always)
    package static func tanh(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let ax = abs(x)
        let t = exp(ax * -2)
        var large = (1 - t) / (1 + t)
        large = large.replacing(with: -large, where: x .< 0)
        let z = x * x
        var p = SIMD8<Float>(repeating: -5.704_988_727_45e-3)
        p = SIMD8<Float>(repeating: 2.063_908_879_54e-2).addingProduct(p, z)
        p = SIMD8<Float>(repeating: -5.373_971_555_31e-2).addingProduct(p, z)
        p = SIMD8<Float>(repeating: 1.333_144_220_36e-1).addingProduct(p, z)
        p = SIMD8<Float>(repeating: -3.333_328_194_22e-1).addingProduct(p, z)
        let small = x.addingProduct(x, p * z)
        return large.replacing(with: small, where: ax .< 0.625)
    }

    @inline(__always)
    static func bits(_ x: SIMD8<Float>) -> SIMD8<UInt32> { unsafeBitCast(x, to: SIMD8<UInt32>.self) }

    @inline(__always)
    static func float(bits: SIMD8<UInt32>) -> SIMD8<Float> { unsafeBitCast(bits, to: SIMD8<Float>.self) }

    @inline(__always)
    static func abs(_ x: SIMD8<Float>) -> SIMD8<Float> {
        float(bits: bits(x) & 0x7fff_ffff)
    }

    /// The index of the first NaN or infinity in `values`, or nil when all are finite. Eight lanes
    /// at a time (an all-ones exponent marks a non-finite value); O(n), one read of the buffer.
    package static func firstNonFinite(_ values: [Float]) -> Int? {
        values.withUnsafeBufferPointer { firstNonFinite($0) }
    }

    /// ``firstNonFinite(_:)-([Float])`` over a buffer.
    package static func firstNonFinite(_ buffer: UnsafeBufferPointer<Float>) -> Int? {
        guard let base = buffer.baseAddress else { return nil }
        let exponent = SIMD8<UInt32>(repeating: 0x7f80_0000)
        var i = 0
        while i + 8 <= buffer.count {
            if any(bits(load8(base + i)) & exponent .== exponent) { break }
            i += 8
        }
        while i < buffer.count {
            if !buffer[i].isFinite { return i }
            i += 1
        }
        return nil
    }
}
