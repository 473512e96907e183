import Testing

@testable import GradientCore

@Suite struct ModelBehaviourTests {
    @Test func gradientsAreBitwiseIdenticalAcrossThreadCounts() throws {
        let cases: [(ModelSpec, Int)] = [
            (ModelSpec(kind: .logistic, inputs: 9), 3 * Model.linearRowsPerChunk + 77),
            (ModelSpec(kind: .linear, inputs: 5), 2 * Model.linearRowsPerChunk + 1),
            (ModelSpec(kind: .softmax, inputs: 70, outputs: 5), 1100),
            (ModelSpec(kind: .mlp, inputs: 70, outputs: 4, hidden: [90, 33], activation: .gelu), 130),
        ]
        for (spec, rows) in cases {
            let model = try Model(spec: spec)
            let features = TestData.floats(rows * spec.inputs, seed: 1)
            let labels = TestData.labels(rows, classes: spec.classCount, seed: 2)
            let parameters = spec.initialParameters(seed: 3)
            var reference: [Float]?
            var referenceLoss = 0.0
            for threads in 1...4 {
                var gradient = [Float](repeating: 0.125, count: model.layout.count)
                let result = try model.accumulateGradient(
                    parameters: parameters, features: features, labels: labels, rows: rows, into: &gradient,
                    threads: threads)
                if let reference {
                    #expect(
                        gradient.map(\.bitPattern) == reference.map(\.bitPattern), "\(spec.kind) threads \(threads)")
                    #expect(result.lossSum.bitPattern == referenceLoss.bitPattern)
                } else {
                    reference = gradient
                    referenceLoss = result.lossSum
                }
            }
        }
    }

    /// Evaluation takes its loss and outputs from one forward pass: the same bits as the gradient
    /// pass's loss and as `predict`, across several row chunks.
    @Test func evaluationMatchesTheGradientPassAndPredict() throws {
        let specs = [
            ModelSpec(kind: .logistic, inputs: 20, outputs: 1),
            ModelSpec(kind: .logistic, inputs: 128, outputs: 1),
            ModelSpec(kind: .linear, inputs: 37, outputs: 1),
            ModelSpec(kind: .softmax, inputs: 20, outputs: 4),
            ModelSpec(kind: .mlp, inputs: 20, outputs: 3, hidden: [16], activation: .tanh),
            ModelSpec(kind: .mlp, inputs: 20, outputs: 1, hidden: [16, 8], head: .linear),
        ]
        for spec in specs {
            let rows =
                spec.kind == .logistic || spec.kind == .linear
                ? 2 * Model.linearRowsPerChunk + 13 : 2 * DenseNetwork.rowsPerChunk + 5
            let model = try Model(spec: spec)
            let features = TestData.floats(rows * spec.inputs, seed: 4)
            let labels =
                spec.classCount == nil
                ? TestData.floats(rows, seed: 5) : TestData.labels(rows, classes: spec.classCount, seed: 5)
            let parameters = spec.initialParameters(seed: 6)
            var gradient = [Float](repeating: 0, count: model.layout.count)
            let pass = try model.accumulateGradient(
                parameters: parameters, features: features, labels: labels, rows: rows,
                into: &gradient)
            let (lossSum, output) = try model.lossAndOutput(
                parameters: parameters, features: features, labels: labels,
                rows: rows, threads: 1)
            #expect(lossSum.bitPattern == pass.lossSum.bitPattern, "\(spec.kind) \(spec.head)")
            let predicted = try model.predict(parameters: parameters, features: features, rows: rows)
            #expect(output.map(\.bitPattern) == predicted.map(\.bitPattern), "\(spec.kind) \(spec.head)")
            let evaluation = try model.evaluate(parameters: parameters, features: features, labels: labels, rows: rows)
            #expect(evaluation.loss == pass.lossSum / Double(rows))
        }
    }

    @Test func shapeMismatchNamesBothShapes() throws {
        let model = try Model(spec: ModelSpec(kind: .softmax, inputs: 4, outputs: 3))
        var gradient = [Float](repeating: 0, count: model.layout.count)
        let parameters = model.spec.initialParameters(seed: 1)
        do {
            _ = try model.accumulateGradient(
                parameters: parameters, features: [Float](repeating: 0, count: 15), labels: [0, 1, 2], rows: 3,
                into: &gradient)
            Issue.record("expected a shape error")
        } catch {
            #expect(error == .shapeMismatch(what: "features (rows × inputs)", expected: [3, 4], actual: [15]))
            #expect(error.description.contains("[3, 4]") && error.description.contains("[15]"))
        }
        #expect(throws: GradientCoreError.shapeMismatch(what: "parameters", expected: [15], actual: [2])) {
            _ = try model.predict(parameters: [1, 2], features: [], rows: 0)
        }
        var shortGradient = [Float](repeating: 0, count: 3)
        #expect(throws: GradientCoreError.shapeMismatch(what: "gradient (parameters)", expected: [15], actual: [3])) {
            _ = try model.accumulateGradient(
                parameters: parameters, features: [Float](repeating: 0, count: 4), labels: [0], rows: 1,
                into: &shortGradient)
        }
    }

    @Test func badLabelsAndNonFiniteValuesAreReported() throws {
        let model = try Model(spec: ModelSpec(kind: .softmax, inputs: 2, outputs: 3))
        var gradient = [Float](repeating: 0, count: model.layout.count)
        let parameters = model.spec.initialParameters(seed: 1)
        #expect(throws: GradientCoreError.invalidLabel(row: 1, value: 3, expected: "a class index in 0..<3")) {
            _ = try model.accumulateGradient(
                parameters: parameters, features: [0, 0, 0, 0], labels: [0, 3], rows: 2, into: &gradient)
        }
        #expect(throws: GradientCoreError.self) {
            _ = try model.accumulateGradient(
                parameters: parameters, features: [0, 0, 0, 0], labels: [0.5, 1], rows: 2, into: &gradient)
        }
        let linear = try Model(spec: ModelSpec(kind: .linear, inputs: 2))
        var linearGradient = [Float](repeating: 0, count: 3)
        #expect(throws: GradientCoreError.nonFinite(what: "loss", index: 0)) {
            _ = try linear.accumulateGradient(
                parameters: [1, 1, 0], features: [.nan, 1], labels: [1], rows: 1, into: &linearGradient)
        }
        var optimizer = try Optimizer(config: OptimizerConfig(kind: .sgd, learningRate: 0.1), parameterCount: 2)
        var p: [Float] = [1, 2]
        #expect(throws: GradientCoreError.nonFinite(what: "gradient", index: 1)) {
            try optimizer.step(parameters: &p, gradient: [0, .infinity], learningRate: 0.1)
        }
        #expect(p == [1, 2])
    }

    @Test func logisticRegressionSeparatesSeparableData() throws {
        let inputs = 4, rows = 400
        var rng = Philox(seed: 17)
        var features: [Float] = [], labels: [Float] = []
        let truth: [Float] = [1.5, -2, 0.5, 1]
        while labels.count < rows {
            let x = (0..<inputs).map { _ in rng.nextFloat() * 2 - 1 }
            let margin = zip(x, truth).reduce(0.2) { $0 + $1.0 * $1.1 }
            if abs(margin) < 0.1 { continue }  // keep a gap so the data are separable
            features += x
            labels.append(margin > 0 ? 1 : 0)
        }
        let model = try Model(spec: ModelSpec(kind: .logistic, inputs: inputs))
        var parameters = model.spec.initialParameters(seed: 1)
        var optimizer = try Optimizer(
            config: OptimizerConfig(kind: .adam, learningRate: 0.1), parameterCount: model.layout.count)
        for _ in 0..<200 {
            let (gradient, _) = try model.meanGradient(
                parameters: parameters, features: features, labels: labels, rows: rows)
            try optimizer.step(parameters: &parameters, gradient: gradient, learningRate: 0.1)
        }
        let evaluation = try model.evaluate(parameters: parameters, features: features, labels: labels, rows: rows)
        #expect(try #require(evaluation.accuracy) >= 0.99)
        #expect(try #require(evaluation.rocAUC) > 0.99)
    }

    /// XOR-like data (label = sign(x0) ≠ sign(x1)): a linear model stays near chance, an MLP learns it.
    @Test func mlpLearnsXorThatLogisticCannot() throws {
        let rows = 96
        var rng = Philox(seed: 23)
        var features: [Float] = [], labels: [Float] = []
        for _ in 0..<rows {
            let a = rng.nextFloat() * 2 - 1, b = rng.nextFloat() * 2 - 1
            features += [a, b]
            labels.append((a > 0) != (b > 0) ? 1 : 0)
        }
        func train(_ spec: ModelSpec, steps: Int) throws -> Double {
            let model = try Model(spec: spec)
            var parameters = spec.initialParameters(seed: 2)
            var optimizer = try Optimizer(
                config: OptimizerConfig(kind: .adam, learningRate: 0.1), parameterCount: model.layout.count)
            for _ in 0..<steps {
                let (gradient, _) = try model.meanGradient(
                    parameters: parameters, features: features, labels: labels, rows: rows)
                try optimizer.step(parameters: &parameters, gradient: gradient, learningRate: 0.1)
            }
            return try #require(
                try model.evaluate(parameters: parameters, features: features, labels: labels, rows: rows).accuracy)
        }
        let linear = try train(ModelSpec(kind: .logistic, inputs: 2), steps: 100)
        let mlp = try train(ModelSpec(kind: .mlp, inputs: 2, outputs: 2, hidden: [12], activation: .tanh), steps: 120)
        #expect(linear < 0.75)
        #expect(mlp >= 0.95)
    }

    @Test func linearRegressionPredictsAndReportsMetrics() throws {
        let model = try Model(spec: ModelSpec(kind: .linear, inputs: 2))
        let parameters: [Float] = [2, -1, 0.5]
        let features: [Float] = [1, 0, 0, 1, 1, 1]
        #expect(try model.predict(parameters: parameters, features: features, rows: 3) == [2.5, -0.5, 1.5])
        let evaluation = try model.evaluate(
            parameters: parameters, features: features, labels: [2.5, -0.5, 2.5], rows: 3)
        #expect(abs(evaluation.loss - 1.0 / 3) < 1e-9)
        #expect(abs(try #require(evaluation.rmse) - (1.0 / 3).squareRoot()) < 1e-9)
        #expect(abs(try #require(evaluation.mae) - 1.0 / 3) < 1e-9)
        #expect(evaluation.accuracy == nil)
    }
}
