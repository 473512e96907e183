/// Optimizer state: the step count and flat buffers in the parameter layout.
///
/// Buffers by name: `momentum` (SGD with momentum), `exp_avg` and `exp_avg_sq` (Adam, AdamW).
/// Saving these floats and `step` and restoring them resumes bitwise where the run left off.
package struct OptimizerState: Codable, Sendable, Equatable {
    /// Number of steps taken.
    package var step: Int
    /// Named buffers, each with as many elements as the parameters.
    package var buffers: [String: [Float]]

    package init(step: Int = 0, buffers: [String: [Float]] = [:]) {
        self.step = step
        self.buffers = buffers
    }
}

/// An optimizer over flat parameter buffers.
package struct Optimizer: Sendable {
    package let config: OptimizerConfig
    package let parameterCount: Int
    package var state: OptimizerState

    /// Creates an optimizer with zeroed state for `parameterCount` parameters.
    package init(config: OptimizerConfig, parameterCount: Int) throws(GradientCoreError) {
        try config.validate()
        self.config = config
        self.parameterCount = parameterCount
        var buffers: [String: [Float]] = [:]
        switch config.kind {
        case .sgd:
            if config.momentum > 0 { buffers["momentum"] = [Float](repeating: 0, count: parameterCount) }
        case .adam, .adamw:
            buffers["exp_avg"] = [Float](repeating: 0, count: parameterCount)
            buffers["exp_avg_sq"] = [Float](repeating: 0, count: parameterCount)
        }
        state = OptimizerState(step: 0, buffers: buffers)
    }

    /// Restores an optimizer from saved state; throws if buffer names or sizes do not match.
    package init(config: OptimizerConfig, parameterCount: Int, state: OptimizerState) throws(GradientCoreError) {
        try self.init(config: config, parameterCount: parameterCount)
        try requireShape(
            "optimizer state buffers \(state.buffers.keys.sorted())",
            expected: [self.state.buffers.count], actual: [state.buffers.count])
        for (name, buffer) in self.state.buffers {
            guard let saved = state.buffers[name] else {
                throw .invalidConfiguration("optimizer state lacks buffer '\(name)'")
            }
            try requireShape("optimizer state '\(name)'", expected: [buffer.count], actual: [saved.count])
        }
        guard state.step >= 0 else {
            throw .invalidConfiguration("optimizer state step must be >= 0, got \(state.step)")
        }
        self.state = state
    }

    /// One update of `parameters` with the mean `gradient` at `learningRate` (usually
    /// `schedule.rate(at:)`). Returns the gradient's global norm before clipping when clipping
    /// is configured (it needs the norm), nil otherwise (a cheaper finiteness check is used).
    ///
    /// Throws on size mismatch or a non-finite gradient (the parameters are left unchanged).
    /// The element loops run over raw buffers (vectorised; the same IEEE operations per element,
    /// so the same bits, as the indexed form in ``ScalarKernels``' style).
    /// With `threads` > 1, models of millions of parameters are updated by that many threads
    /// (contiguous ranges; the same bits for any thread count). `gradientScale` multiplies each
    /// gradient element as it is used (a sum and 1 / its example count make the mean): the same
    /// bits as scaling the array first, without a pass of its own.
    @discardableResult
    package mutating func step(
        parameters: inout [Float], gradient: [Float], learningRate: Float,
        gradientScale: Float = 1, threads: Int = 1
    ) throws(GradientCoreError) -> Double? {
        try requireShape("parameters", expected: [parameterCount], actual: [parameters.count])
        try requireShape("gradient", expected: [parameterCount], actual: [gradient.count])
        var g = gradient
        var scale = gradientScale
        var norm: Double?
        if config.clipNorm != nil && scale != 1 {
            // Clipping needs the scaled gradient's norm: scale first.
            for i in g.indices { g[i] *= scale }
            scale = 1
        }
        if let clipNorm = config.clipNorm {
            let value = GradientClipping.globalNorm(g)
            guard value.isFinite else {
                throw .nonFinite(what: "gradient", index: g.firstIndex { !$0.isFinite } ?? 0)
            }
            GradientClipping.scale(&g, norm: value, maxNorm: clipNorm)
            norm = value
        } else if let index = g.withUnsafeBufferPointer({ ElementwiseSplit.firstNonFinite($0, threads: threads) }) {
            throw .nonFinite(what: "gradient", index: index)
        }
        state.step += 1
        let lr = learningRate, wd = config.weightDecay
        let n = parameterCount
        switch config.kind {
        case .sgd:
            let mu = config.momentum
            if mu > 0 {
                var v = state.buffers.removeValue(forKey: "momentum")!  // moved out: no copy on write
                let nesterov = config.nesterov
                g.withUnsafeBufferPointer { g in
                    v.withUnsafeMutableBufferPointer { v in
                        parameters.withUnsafeMutableBufferPointer { p in
                            ElementwiseSplit.run(count: n, threads: threads) { range in
                                for i in range {
                                    let gi = g[i] * scale + wd * p[i]
                                    v[i] = mu * v[i] + gi
                                    let update = nesterov ? gi + mu * v[i] : v[i]
                                    p[i] -= lr * update
                                }
                            }
                        }
                    }
                }
                state.buffers["momentum"] = v
            } else {
                g.withUnsafeBufferPointer { g in
                    parameters.withUnsafeMutableBufferPointer { p in
                        ElementwiseSplit.run(count: n, threads: threads) { range in
                            for i in range { p[i] -= lr * (g[i] * scale + wd * p[i]) }
                        }
                    }
                }
            }
        case .adam, .adamw:
            var m = state.buffers.removeValue(forKey: "exp_avg")!
            var v = state.buffers.removeValue(forKey: "exp_avg_sq")!
            let b1 = config.beta1, b2 = config.beta2
            let correction1 = Float(1 - Optimizer.power(Double(b1), state.step))
            let correction2 = Float(1 - Optimizer.power(Double(b2), state.step))
            let stepSize = lr / correction1
            let root2 = correction2.squareRoot()
            let coupled = config.kind == .adam
            let epsilon = config.epsilon
            g.withUnsafeBufferPointer { g in
                m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        parameters.withUnsafeMutableBufferPointer { p in
                            ElementwiseSplit.run(count: n, threads: threads) { range in
                                for i in range {
                                    var gi = g[i] * scale
                                    if coupled { gi += wd * p[i] } else { p[i] -= lr * wd * p[i] }
                                    m[i] = b1 * m[i] + (1 - b1) * gi
                                    v[i] = b2 * v[i] + (1 - b2) * gi * gi
                                    let denominator = v[i].squareRoot() / root2 + epsilon
                                    p[i] -= stepSize * m[i] / denominator
                                }
                            }
                        }
                    }
                }
            }
            state.buffers = ["exp_avg": m, "exp_avg_sq": v]
        }
        return norm
    }

    /// x^n by repeated squaring: exact IEEE operations, the same on every platform.
    static func power(_ x: Double, _ n: Int) -> Double {
        var result = 1.0, base = x, e = n
        while e > 0 {
            if e & 1 == 1 { result *= base }
            base *= base
            e >>= 1
        }
        return result
    }
}
