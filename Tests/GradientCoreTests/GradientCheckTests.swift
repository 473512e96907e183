import Testing

@testable import GradientCore

/// Analytic gradients (Float32 kernels) against Float64 central finite differences.
@Suite struct GradientCheckTests {
    static let specs: [ModelSpec] = [
        ModelSpec(kind: .linear, inputs: 11),
        ModelSpec(kind: .logistic, inputs: 13),
        ModelSpec(kind: .softmax, inputs: 9, outputs: 4),
        ModelSpec(kind: .mlp, inputs: 7, outputs: 3, hidden: [10], activation: .relu),
        ModelSpec(kind: .mlp, inputs: 6, outputs: 3, hidden: [9, 5], activation: .tanh),
        ModelSpec(kind: .mlp, inputs: 5, outputs: 4, hidden: [12], activation: .gelu),
        ModelSpec(kind: .mlp, inputs: 6, outputs: 1, hidden: [8], activation: .tanh, head: .linear),
    ]

    @Test(arguments: specs)
    func gradientMatchesFiniteDifferences(spec: ModelSpec) throws {
        let model = try Model(spec: spec)
        let rows = 13
        let features = TestData.floats(rows * spec.inputs, seed: 21)
        let labels = TestData.labels(rows, classes: spec.classCount, seed: 22)
        var parameters = spec.initialParameters(seed: 5)
        // Non-zero biases so that bias gradients are exercised away from the origin.
        for entry in model.layout.entries where entry.shape.count == 1 {
            for i in entry.range { parameters[i] = Float(i % 5) * 0.05 - 0.1 }
        }
        var gradient = [Float](repeating: 0, count: model.layout.count)
        let result = try model.accumulateGradient(
            parameters: parameters, features: features, labels: labels, rows: rows, into: &gradient)
        let numerical = ReferenceModel.numericalGradient(
            spec: spec, parameters: parameters, features: features, labels: labels, rows: rows)
        let referenceLoss = ReferenceModel.lossSum(
            spec: spec, parameters: parameters.map(Double.init), features: features, labels: labels, rows: rows)
        #expect(result.count == rows)
        #expect(abs(result.lossSum - referenceLoss) <= 1e-4 * max(1, abs(referenceLoss)))
        for i in gradient.indices {
            let error = abs(Double(gradient[i]) - numerical[i])
            #expect(error <= 2e-3 * max(1, abs(numerical[i])), "parameter \(i): \(gradient[i]) vs \(numerical[i])")
        }
    }

    @Test func meanGradientIsSumOverRows() throws {
        let spec = ModelSpec(kind: .softmax, inputs: 5, outputs: 3)
        let model = try Model(spec: spec)
        let rows = 10
        let features = TestData.floats(rows * 5, seed: 1)
        let labels = TestData.labels(rows, classes: 3, seed: 2)
        let parameters = spec.initialParameters(seed: 3)
        var sum = [Float](repeating: 0, count: model.layout.count)
        let result = try model.accumulateGradient(
            parameters: parameters, features: features, labels: labels, rows: rows, into: &sum)
        let (mean, loss) = try model.meanGradient(
            parameters: parameters, features: features, labels: labels, rows: rows)
        #expect(loss == result.lossSum / Double(rows))
        for i in sum.indices { #expect(abs(mean[i] - sum[i] / Float(rows)) <= 1e-6) }
    }

    @Test func weightDecayGradientMatchesFiniteDifferences() {
        let parameters = TestData.floats(17, seed: 9, scale: 2)
        let decay: Float = 0.3
        var gradient = [Float](repeating: 0, count: 17)
        WeightDecay.addGradient(parameters, decay: decay, to: &gradient)
        let h = 1e-6
        for i in parameters.indices {
            var p = parameters.map(Double.init)
            func penalty(_ values: [Double]) -> Double { 0.5 * Double(decay) * values.reduce(0) { $0 + $1 * $1 } }
            p[i] += h
            let plus = penalty(p)
            p[i] -= 2 * h
            let minus = penalty(p)
            #expect(abs(Double(gradient[i]) - (plus - minus) / (2 * h)) <= 1e-5)
        }
        #expect(
            abs(
                WeightDecay.penalty(parameters, decay: decay) - 0.5 * 0.3
                    * parameters.reduce(0.0) { $0 + Double($1 * $1) }) < 1e-6)
    }

    @Test func activationDerivativesMatchFiniteDifferences() {
        for kind in ModelSpec.Activation.allCases {
            for z in stride(from: -4.0, through: 4.0, by: 0.37) {
                let h = 1e-4
                let numerical =
                    (ReferenceModel.activation(kind, z + h) - ReferenceModel.activation(kind, z - h)) / (2 * h)
                let analytic = Double(ScalarKernels.activationDerivative(kind, Float(z)))
                #expect(abs(analytic - numerical) <= 1e-4, "\(kind) at \(z)")
                var pre = Float(z)
                var a: Float = 0, upstream: Float = 1, vector: Float = 0
                ActivationKernels.forward(kind, input: &pre, output: &a, count: 1)
                ActivationKernels.backward(
                    kind, preActivation: &pre, activation: &a, upstream: &upstream, downstream: &vector, count: 1)
                #expect(abs(Double(vector) - numerical) <= 1e-4, "SIMD \(kind) at \(z)")
            }
        }
    }
}
