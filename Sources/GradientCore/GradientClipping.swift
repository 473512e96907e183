/// Global-norm gradient clipping and the L2 weight-decay penalty.
package enum GradientClipping {
    /// ‖g‖₂ accumulated in Double in index order (deterministic). O(n).
    package static func globalNorm(_ gradient: [Float]) -> Double {
        var sum = 0.0
        for value in gradient { sum += Double(value) * Double(value) }
        return sum.squareRoot()
    }

    /// Scales `gradient` by maxNorm / norm when norm > maxNorm. Returns the norm before clipping.
    @discardableResult
    package static func clipByGlobalNorm(_ gradient: inout [Float], maxNorm: Float) -> Double {
        let norm = globalNorm(gradient)
        scale(&gradient, norm: norm, maxNorm: maxNorm)
        return norm
    }

    static func scale(_ gradient: inout [Float], norm: Double, maxNorm: Float) {
        guard norm > Double(maxNorm) else { return }
        let factor = Float(Double(maxNorm) / norm)
        for i in gradient.indices { gradient[i] *= factor }
    }
}

/// Classic L2 weight decay as a loss term: penalty `decay/2 · ‖θ‖²`, gradient `decay · θ`.
///
/// ``Optimizer`` adds this gradient itself for `sgd` and `adam`; these functions exist for
/// reporting the regularised loss and for gradient checks.
package enum WeightDecay {
    /// decay/2 · Σ θᵢ², in Double.
    package static func penalty(_ parameters: [Float], decay: Float) -> Double {
        var sum = 0.0
        for value in parameters { sum += Double(value) * Double(value) }
        return 0.5 * Double(decay) * sum
    }

    /// gradient += decay · θ.
    package static func addGradient(_ parameters: [Float], decay: Float, to gradient: inout [Float]) {
        for i in gradient.indices { gradient[i] += decay * parameters[i] }
    }
}
