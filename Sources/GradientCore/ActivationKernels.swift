/// Vectorised activation functions and their derivatives (MLP hidden layers).
///
/// Each function processes `count` contiguous floats, 8 lanes at a time; the tail goes through
/// the same vector code on a padded register, so every element sees identical arithmetic.
/// Scalar twins: ``ScalarKernels/activationForward(_:input:output:count:)`` and
/// ``ScalarKernels/activationBackward(_:preActivation:activation:upstream:downstream:count:)``.
package enum ActivationKernels {
    static let geluScale: Float = 0.797_884_560_802_865_4  // √(2/π)
    static let geluCubic: Float = 0.044_715

    @inline(__always)
    static func forward8(_ kind: ModelSpec.Activation, _ z: SIMD8<Float>) -> SIMD8<Float> {
        switch kind {
        case .relu:
            return z.replacing(with: 0, where: z .< 0)
        case .tanh:
            return VectorMath.tanh(z)
        case .gelu:
            let u = z.addingProduct(z * z * z, SIMD8(repeating: geluCubic))
            let t = VectorMath.tanh(u * geluScale)
            return z * 0.5 * (t + 1)
        }
    }

    @inline(__always)
    static func derivative8(_ kind: ModelSpec.Activation, _ z: SIMD8<Float>, _ a: SIMD8<Float>) -> SIMD8<Float> {
        switch kind {
        case .relu:
            return SIMD8<Float>(repeating: 1).replacing(with: 0, where: z .<= 0)
        case .tanh:
            return 1 - a * a
        case .gelu:
            let z2 = z * z
            let t = VectorMath.tanh(z.addingProduct(z2 * z, SIMD8(repeating: geluCubic)) * geluScale)
            let du = (z2 * (3 * geluCubic) + 1) * geluScale
            return (t + 1) * 0.5 + z * 0.5 * (1 - t * t) * du
        }
    }

    /// `output[i] = f(input[i])` for `i < count`; `input` and `output` may alias.
    package static func forward(
        _ kind: ModelSpec.Activation, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int
    ) {
        var i = 0
        while i + 8 <= count {
            store8(forward8(kind, load8(input + i)), output + i)
            i += 8
        }
        if i < count {
            storePartial(forward8(kind, loadPartial(input + i, count: count - i)), output + i, count: count - i)
        }
    }

    /// `downstream[i] = upstream[i] · f′(z[i])`, where `activation[i] = f(z[i])`.
    /// `downstream` may alias `upstream`.
    package static func backward(
        _ kind: ModelSpec.Activation, preActivation: UnsafePointer<Float>, activation: UnsafePointer<Float>,
        upstream: UnsafePointer<Float>, downstream: UnsafeMutablePointer<Float>, count: Int
    ) {
        var i = 0
        while i + 8 <= count {
            let d = derivative8(kind, load8(preActivation + i), load8(activation + i))
            store8(load8(upstream + i) * d, downstream + i)
            i += 8
        }
        if i < count {
            let n = count - i
            let d = derivative8(kind, loadPartial(preActivation + i, count: n), loadPartial(activation + i, count: n))
            storePartial(loadPartial(upstream + i, count: n) * d, downstream + i, count: n)
        }
    }
}
