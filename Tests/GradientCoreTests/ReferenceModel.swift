import Foundation

@testable import GradientCore

/// An independent Float64 implementation of every model's summed loss, used for finite
/// differences. It reads parameters through the layout names, not through the kernels.
enum ReferenceModel {
    static func activation(_ kind: ModelSpec.Activation, _ z: Double) -> Double {
        switch kind {
        case .relu: return max(z, 0)
        case .tanh: return Foundation.tanh(z)
        case .gelu: return 0.5 * z * (1 + Foundation.tanh(0.7978845608028654 * (z + 0.044715 * z * z * z)))
        }
    }

    /// Σ per-example loss in Double.
    static func lossSum(spec: ModelSpec, parameters: [Double], features: [Float], labels: [Float], rows: Int) -> Double
    {
        let layout = spec.layout()
        let widths = spec.kind == .mlp ? spec.widths : [spec.inputs, spec.outputs]
        var total = 0.0
        for r in 0..<rows {
            var activations = (0..<spec.inputs).map { Double(features[r * spec.inputs + $0]) }
            for l in 0..<(widths.count - 1) {
                let w = layout.entries[2 * l], b = layout.entries[2 * l + 1]
                var z = [Double](repeating: 0, count: widths[l + 1])
                for o in 0..<widths[l + 1] {
                    var s = parameters[b.offset + o]
                    for i in 0..<widths[l] { s += parameters[w.offset + o * widths[l] + i] * activations[i] }
                    z[o] = s
                }
                let last = l == widths.count - 2
                activations = last ? z : z.map { activation(spec.activation, $0) }
            }
            let y = Double(labels[r])
            switch spec.kind {
            case .linear:
                total += (activations[0] - y) * (activations[0] - y)
            case .logistic:
                let z = activations[0]
                total += max(z, 0) - z * y + Foundation.log1p(Foundation.exp(-Swift.abs(z)))
            case .softmax, .mlp:
                if spec.kind == .mlp && spec.head == .linear {
                    total += (activations[0] - y) * (activations[0] - y)
                } else {
                    let m = activations.max()!
                    let lse = m + Foundation.log(activations.reduce(0) { $0 + Foundation.exp($1 - m) })
                    total += lse - activations[Int(y)]
                }
            }
        }
        return total
    }

    /// Central finite differences of ``lossSum`` in Double with step `h`.
    static func numericalGradient(
        spec: ModelSpec, parameters: [Float], features: [Float], labels: [Float], rows: Int, h: Double = 1e-5
    ) -> [Double] {
        var p = parameters.map(Double.init)
        var gradient = [Double](repeating: 0, count: p.count)
        for i in p.indices {
            let saved = p[i]
            p[i] = saved + h
            let plus = lossSum(spec: spec, parameters: p, features: features, labels: labels, rows: rows)
            p[i] = saved - h
            let minus = lossSum(spec: spec, parameters: p, features: features, labels: labels, rows: rows)
            p[i] = saved
            gradient[i] = (plus - minus) / (2 * h)
        }
        return gradient
    }
}

/// Deterministic test data from Philox.
enum TestData {
    static func floats(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var rng = Philox(seed: seed, stream: 99)
        return (0..<count).map { _ in (rng.nextFloat() * 2 - 1) * scale }
    }

    static func labels(_ count: Int, classes: Int?, seed: UInt64) -> [Float] {
        var rng = Philox(seed: seed, stream: 7)
        guard let classes else { return (0..<count).map { _ in rng.nextFloat() * 4 - 2 } }
        return (0..<count).map { _ in Float(rng.nextInt(below: classes)) }
    }

    /// Largest |a − b| / max(1, |b|).
    static func maxRelativeError(_ a: [Float], _ b: [Float]) -> Float {
        var worst: Float = 0
        for i in a.indices { worst = max(worst, Swift.abs(a[i] - b[i]) / max(1, Swift.abs(b[i]))) }
        return worst
    }
}
