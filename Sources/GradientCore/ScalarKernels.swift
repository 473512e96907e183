import Foundation

/// Plain scalar twins of the SIMD kernels: the reference the tests compare against.
///
/// Straightforward loops with libm functions; no vectors, no blocking, no packing.
package enum ScalarKernels {
    /// Scalar twin of ``FusedLinearKernel/accumulate(link:features:labels:rows:columns:weights:bias:gradWeights:gradBias:)``.
    package static func linearGradient(
        link: FusedLinearKernel.Link, features: UnsafePointer<Float>, labels: UnsafePointer<Float>, rows: Int,
        columns: Int, weights: UnsafePointer<Float>, bias: Float,
        gradWeights: UnsafeMutablePointer<Float>, gradBias: UnsafeMutablePointer<Float>
    ) -> Double {
        var lossSum = 0.0
        for row in 0..<rows {
            let x = features + row * columns
            var z = bias
            for k in 0..<columns { z += x[k] * weights[k] }
            let y = labels[row]
            let d: Float
            switch link {
            case .identity:
                let r = z - y
                d = 2 * r
                lossSum += Double(r * r)
            case .logistic:
                d = sigmoid(z) - y
                lossSum += Double(max(z, 0) - z * y + Foundation.log1p(Foundation.exp(-Swift.abs(z))))
            }
            for k in 0..<columns { gradWeights[k] += d * x[k] }
            gradBias.pointee += d
        }
        return lossSum
    }

    /// Logistic sigmoid.
    package static func sigmoid(_ z: Float) -> Float {
        z >= 0 ? 1 / (1 + Foundation.exp(-z)) : Foundation.exp(z) / (1 + Foundation.exp(z))
    }

    /// Scalar twin of ``SoftmaxKernel/softmaxRows(_:rows:columns:logSumExp:)``.
    package static func softmaxRows(
        _ values: UnsafeMutablePointer<Float>, rows: Int, columns: Int, logSumExp: UnsafeMutablePointer<Float>
    ) {
        for row in 0..<rows {
            let x = values + row * columns
            var m = -Float.infinity
            for j in 0..<columns { m = max(m, x[j]) }
            var s: Float = 0
            for j in 0..<columns {
                x[j] = Foundation.exp(x[j] - m)
                s += x[j]
            }
            logSumExp[row] = m + Foundation.log(s)
            for j in 0..<columns { x[j] /= s }
        }
    }

    /// Scalar activation f(z).
    package static func activation(_ kind: ModelSpec.Activation, _ z: Float) -> Float {
        switch kind {
        case .relu: return max(z, 0)
        case .tanh: return Foundation.tanh(z)
        case .gelu:
            let u = Float(0.797_884_560_802_865_4) * (z + 0.044_715 * z * z * z)
            return 0.5 * z * (1 + Foundation.tanh(u))
        }
    }

    /// Scalar derivative f′(z).
    package static func activationDerivative(_ kind: ModelSpec.Activation, _ z: Float) -> Float {
        switch kind {
        case .relu: return z > 0 ? 1 : 0
        case .tanh:
            let t = Foundation.tanh(z)
            return 1 - t * t
        case .gelu:
            let c: Float = 0.797_884_560_802_865_4
            let t = Foundation.tanh(c * (z + 0.044_715 * z * z * z))
            return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * c * (1 + 3 * 0.044_715 * z * z)
        }
    }

    /// Scalar twin of ``ActivationKernels/forward(_:input:output:count:)``.
    package static func activationForward(
        _ kind: ModelSpec.Activation, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int
    ) {
        for i in 0..<count { output[i] = activation(kind, input[i]) }
    }

    /// Scalar twin of ``ActivationKernels/backward(_:preActivation:activation:upstream:downstream:count:)``.
    package static func activationBackward(
        _ kind: ModelSpec.Activation, preActivation: UnsafePointer<Float>, upstream: UnsafePointer<Float>,
        downstream: UnsafeMutablePointer<Float>, count: Int
    ) {
        for i in 0..<count { downstream[i] = upstream[i] * activationDerivative(kind, preActivation[i]) }
    }

    /// Scalar twin of ``GEMM/sgemm(transposeA:transposeB:m:n:k:a:lda:b:ldb:c:ldc:accumulate:threads:)``:
    /// the textbook triple loop.
    package static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k {
                    let av = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let bv = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += av * bv
                }
                c[i * ldc + j] = accumulate ? c[i * ldc + j] + sum : sum
            }
        }
    }
}
