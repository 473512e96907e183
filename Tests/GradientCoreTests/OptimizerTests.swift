import Foundation
import Testing

@testable import GradientCore

@Suite struct OptimizerTests {
    func close(_ a: [Float], _ b: [Float], _ tolerance: Float = 1e-6) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
    }

    /// Scaling inside the update, and splitting a large update across threads, give the bits of
    /// scaling the array first and updating on one thread, for every optimizer.
    @Test func scaledAndSplitUpdatesMatchTheSerialUpdateOfTheScaledGradient() throws {
        let n = 2 * ElementwiseSplit.defaultMinimum + 3
        var rng = Philox(seed: 17)
        let parameters = (0..<n).map { _ in rng.nextFloat() * 2 - 1 }
        let sum = (0..<n).map { _ in (rng.nextFloat() * 2 - 1) * 300 }
        let scale = 1 / Float(37)
        let configs = [
            OptimizerConfig(kind: .sgd, learningRate: 0.1, weightDecay: 0.01),
            OptimizerConfig(kind: .sgd, learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01),
            OptimizerConfig(kind: .adam, learningRate: 0.01, weightDecay: 0.01),
            OptimizerConfig(kind: .adamw, learningRate: 0.01, weightDecay: 0.01),
            OptimizerConfig(kind: .sgd, learningRate: 0.1, momentum: 0.5, clipNorm: 1),
        ]
        for config in configs {
            var reference = try Optimizer(config: config, parameterCount: n)
            var fused = try Optimizer(config: config, parameterCount: n)
            var expected = parameters
            var actual = parameters
            for _ in 0..<2 {
                try reference.step(parameters: &expected, gradient: sum.map { $0 * scale }, learningRate: 0.1)
                try fused.step(parameters: &actual, gradient: sum, learningRate: 0.1, gradientScale: scale, threads: 2)
            }
            #expect(
                actual.map(\.bitPattern) == expected.map(\.bitPattern),
                "\(config.kind) clip \(String(describing: config.clipNorm))")
        }
        // The split finiteness check names the first bad element, wherever it is.
        var bad = sum
        bad[n - 2] = .nan
        bad[n / 2 + 5] = .infinity
        var optimizer = try Optimizer(config: configs[0], parameterCount: n)
        var p = parameters
        #expect(throws: GradientCoreError.nonFinite(what: "gradient", index: n / 2 + 5)) {
            try optimizer.step(parameters: &p, gradient: bad, learningRate: 0.1, gradientScale: scale, threads: 2)
        }
        #expect(p == parameters)
    }

    @Test func plainSgdWithWeightDecay() throws {
        var optimizer = try Optimizer(
            config: OptimizerConfig(kind: .sgd, learningRate: 0.1, weightDecay: 0.5), parameterCount: 2)
        var p: [Float] = [1, -2]
        try optimizer.step(parameters: &p, gradient: [0.2, 0.4], learningRate: 0.1)
        // θ − lr (g + λθ): 1 − 0.1 (0.2 + 0.5) = 0.93; −2 − 0.1 (0.4 − 1) = −1.94
        #expect(close(p, [0.93, -1.94]))
        #expect(optimizer.state.step == 1)
    }

    @Test func momentumAndNesterov() throws {
        var heavyBall = try Optimizer(
            config: OptimizerConfig(kind: .sgd, learningRate: 0.1, momentum: 0.9), parameterCount: 1)
        var p: [Float] = [1]
        try heavyBall.step(parameters: &p, gradient: [1], learningRate: 0.1)  // v = 1, θ = 0.9
        try heavyBall.step(parameters: &p, gradient: [1], learningRate: 0.1)  // v = 1.9, θ = 0.71
        #expect(close(p, [0.71]))
        #expect(close(heavyBall.state.buffers["momentum"]!, [1.9]))
        var nesterov = try Optimizer(
            config: OptimizerConfig(kind: .sgd, learningRate: 0.1, momentum: 0.9, nesterov: true), parameterCount: 1)
        var q: [Float] = [1]
        try nesterov.step(parameters: &q, gradient: [1], learningRate: 0.1)  // v = 1, update 1 + 0.9 = 1.9 → 0.81
        try nesterov.step(parameters: &q, gradient: [1], learningRate: 0.1)  // v = 1.9, update 1 + 1.71 = 2.71 → 0.539
        #expect(close(q, [0.539]))
    }

    @Test func adamFirstStepsMatchHandValues() throws {
        var adam = try Optimizer(config: OptimizerConfig(kind: .adam, learningRate: 0.01), parameterCount: 2)
        var p: [Float] = [0.5, -0.5]
        try adam.step(parameters: &p, gradient: [0.1, -0.2], learningRate: 0.01)
        // Bias-corrected first step moves each parameter by lr · sign(g) (up to ε).
        #expect(close(p, [0.49, -0.49], 1e-6))
        try adam.step(parameters: &p, gradient: [0.3, 0.2], learningRate: 0.01)
        // m = 0.9·0.01 + 0.03 = 0.039 → m̂ = 0.039/0.19; v = 0.999·1e-5 + 9e-5 → v̂ = v/(1 − 0.999²)
        let m = 0.9 * 0.01 + 0.1 * 0.3, v = 0.999 * 0.001 * 0.01 + 0.001 * 0.09
        let expected = 0.49 - 0.01 * (m / 0.19) / ((v / (1 - 0.999 * 0.999)).squareRoot() + 1e-8)
        #expect(abs(Double(p[0]) - expected) < 1e-6)
    }

    @Test func adamwDecouplesWeightDecay() throws {
        var adamw = try Optimizer(
            config: OptimizerConfig(kind: .adamw, learningRate: 0.1, weightDecay: 0.1), parameterCount: 1)
        var p: [Float] = [2]
        try adamw.step(parameters: &p, gradient: [0.5], learningRate: 0.1)
        // θ ← θ − lr·λ·θ = 1.98, then − lr · m̂/(√v̂ + ε) = 1.98 − 0.1
        #expect(close(p, [1.88]))
        var adam = try Optimizer(
            config: OptimizerConfig(kind: .adam, learningRate: 0.1, weightDecay: 0.1), parameterCount: 1)
        var q: [Float] = [2]
        try adam.step(parameters: &q, gradient: [0.5], learningRate: 0.1)
        // Coupled: g' = 0.5 + 0.2, first step still moves by lr.
        #expect(close(q, [1.9]))
    }

    @Test func clippingByGlobalNorm() throws {
        var g: [Float] = [3, 4]
        let norm = GradientClipping.clipByGlobalNorm(&g, maxNorm: 1)
        #expect(norm == 5)
        #expect(close(g, [0.6, 0.8]))
        var small: [Float] = [0.3, 0.4]
        GradientClipping.clipByGlobalNorm(&small, maxNorm: 1)
        #expect(small == [0.3, 0.4])
        var optimizer = try Optimizer(
            config: OptimizerConfig(kind: .sgd, learningRate: 1, clipNorm: 1), parameterCount: 2)
        var p: [Float] = [0, 0]
        let reported = try optimizer.step(parameters: &p, gradient: [3, 4], learningRate: 1)
        #expect(reported == 5)
        #expect(close(p, [-0.6, -0.8]))
    }

    @Test func savedStateResumesBitwise() throws {
        let config = OptimizerConfig(kind: .adamw, learningRate: 0.05, weightDecay: 0.01)
        let gradients = (0..<6).map { TestData.floats(5, seed: UInt64($0)) }
        var straight = try Optimizer(config: config, parameterCount: 5)
        var p = TestData.floats(5, seed: 99)
        for g in gradients { try straight.step(parameters: &p, gradient: g, learningRate: 0.05) }

        var first = try Optimizer(config: config, parameterCount: 5)
        var q = TestData.floats(5, seed: 99)
        for g in gradients[0..<3] { try first.step(parameters: &q, gradient: g, learningRate: 0.05) }
        let saved = try JSONEncoder().encode(first.state)
        let restoredState = try JSONDecoder().decode(OptimizerState.self, from: saved)
        var resumed = try Optimizer(config: config, parameterCount: 5, state: restoredState)
        for g in gradients[3...] { try resumed.step(parameters: &q, gradient: g, learningRate: 0.05) }
        #expect(q.map(\.bitPattern) == p.map(\.bitPattern))
        #expect(resumed.state == straight.state)
        #expect(throws: GradientCoreError.self) {
            try Optimizer(config: config, parameterCount: 4, state: restoredState)
        }
    }

    @Test func schedules() {
        let constant = LearningRateSchedule(base: 0.1)
        #expect(constant.rate(at: 100) == 0.1)
        let warm = LearningRateSchedule(kind: .constant, base: 1, warmupSteps: 4)
        #expect([0, 1, 2, 3, 4].map { warm.rate(at: $0) } == [0.25, 0.5, 0.75, 1, 1])
        let step = LearningRateSchedule(kind: .step, base: 1, stepSize: 10, gamma: 0.5)
        #expect(step.rate(at: 9) == 1)
        #expect(step.rate(at: 10) == 0.5)
        #expect(step.rate(at: 35) == 0.125)
        let cosine = LearningRateSchedule(kind: .cosine, base: 1, warmupSteps: 2, totalSteps: 10, minimumRate: 0.1)
        #expect(cosine.rate(at: 2) == 1)
        #expect(abs(cosine.rate(at: 7) - 0.55) < 1e-6)
        #expect(abs(cosine.rate(at: 12) - 0.1) < 1e-6)
        #expect(abs(cosine.rate(at: 50) - 0.1) < 1e-6)
        #expect(throws: GradientCoreError.self) {
            try LearningRateSchedule(kind: .step, base: 1, stepSize: 0).validate()
        }
    }

    @Test func invalidConfigurationsAreRejected() {
        #expect(throws: GradientCoreError.self) {
            try Optimizer(config: OptimizerConfig(learningRate: -1), parameterCount: 1)
        }
        #expect(throws: GradientCoreError.self) {
            try Optimizer(config: OptimizerConfig(momentum: 1), parameterCount: 1)
        }
        #expect(throws: GradientCoreError.self) {
            try Optimizer(config: OptimizerConfig(nesterov: true), parameterCount: 1)
        }
    }
}

@Suite struct MetricsTests {
    @Test func classificationMetrics() {
        let labels: [Float] = [0, 1, 2, 2, 1]
        let predicted = [0, 2, 2, 2, 1]
        #expect(Metrics.accuracy(predicted: predicted, labels: labels) == 0.8)
        #expect(
            Metrics.confusionMatrix(predicted: predicted, labels: labels, classes: 3) == [
                [1, 0, 0], [0, 1, 1], [0, 0, 2],
            ])
        let probabilities: [Float] = [0.8, 0.2, 0.6, 0.4]
        let logLoss = Metrics.logLoss(probabilities: probabilities, width: 2, labels: [0, 1])
        #expect(abs(logLoss - (-(log(0.8) + log(0.4)) / 2)) < 1e-6)
        let binary = Metrics.logLoss(probabilities: [0.9, 0.3], width: 1, labels: [1, 0])
        #expect(abs(binary - (-(log(0.9) + log(0.7)) / 2)) < 1e-6)
    }

    /// Against the pairwise definition (a positive above a negative counts 1, a tie ½), on
    /// scores with many ties, negative values and both zeros.
    @Test func rocAUCMatchesPairCounting() throws {
        var rng = Philox(seed: 5)
        let scores: [Float] = (0..<600).map { _ in Float(Int(rng.nextFloat() * 40) - 20) / 8 } + [0, -0.0, -0.0, 0]
        let labels: [Float] = scores.indices.map { _ in rng.nextFloat() < 0.4 ? 1 : 0 }
        var wins = 0.0, pairs = 0.0
        for i in scores.indices where labels[i] == 1 {
            for j in scores.indices where labels[j] == 0 {
                pairs += 1
                wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0
            }
        }
        let auc = try #require(Metrics.rocAUC(scores: scores, labels: labels))
        #expect(abs(auc - wins / pairs) < 1e-12)
    }

    /// The radix-sorted rank sum gives bitwise the value of the comparison-sort version it
    /// replaced (kept here as the reference), on ties, both zeros, NaNs and non-0/1 labels.
    @Test func rocAUCIsBitwiseTheComparisonSortVersion() {
        func reference(_ scores: [Float], _ labels: [Float]) -> Double? {
            let order = scores.indices.map { index -> UInt64 in
                let bits = scores[index].bitPattern
                return UInt64(bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000) << 32 | UInt64(index)
            }.sorted().map { Int($0 & 0xFFFF_FFFF) }
            var positives = 0.0, rankSum = 0.0, i = 0
            while i < order.count {
                var j = i
                while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
                let averageRank = Double(i + j) / 2 + 1
                for t in i...j where labels[order[t]] == 1 { positives += 1; rankSum += averageRank }
                i = j + 1
            }
            let negatives = Double(scores.count) - positives
            guard positives > 0, negatives > 0 else { return nil }
            return (rankSum - positives * (positives + 1) / 2) / (positives * negatives)
        }
        var rng = Philox(seed: 11)
        for trial in 0..<20 {
            let n = trial < 10 ? 50 + trial * 7 : 20_000
            var scores: [Float] = (0..<n).map { _ in
                trial % 2 == 0 ? Float(Int(rng.nextFloat() * 30) - 15) / 4 : rng.nextFloat() * 2 - 1
            }
            scores[0] = 0; scores[1] = -0.0; scores[2] = -.infinity; scores[3] = .infinity; scores[4] = .nan;
            scores[5] = .nan
            let labels: [Float] = (0..<n).map { _ in rng.nextFloat() < 0.3 ? 1 : (rng.nextFloat() < 0.1 ? 0.5 : 0) }
            let got = Metrics.rocAUC(scores: scores, labels: labels)
            let want = reference(scores, labels)
            #expect(
                got?.bitPattern == want?.bitPattern,
                "trial \(trial): \(String(describing: got)) vs \(String(describing: want))")
        }
    }

    @Test func radixSortMatchesTheStandardSortAndIsStable() {
        var rng = Philox(seed: 3)
        let values: [UInt64] = (0..<5000).map { _ in
            UInt64(rng.nextFloat() * 1000) << 40 | UInt64(rng.nextFloat() * 65536)
        }
        var whole = values
        RadixSort.sort(&whole, digitShifts: [0, 16, 32, 48])
        #expect(whole == values.sorted())
        // By the upper half only: equal upper halves keep their input order.
        var upper = values.enumerated().map { UInt64($0.element >> 32) << 32 | UInt64($0.offset) }
        RadixSort.sort(&upper, digitShifts: [32, 48])
        #expect(upper == upper.sorted())
        let floats: [Float] = [3, -1, 0, -0.0, .infinity, -.infinity, 1e-30, -1e-30, 2.5]
        var keys = floats.map(RadixSort.orderedBits)
        RadixSort.sort(&keys, digitShifts: [0, 16])
        #expect(
            keys.map { RadixSort.float(orderedBits: $0) }.map(\.bitPattern)
                == [-Float.infinity, -1, -1e-30, -0.0, 0, 1e-30, 2.5, 3, .infinity].map(\.bitPattern))
    }

    @Test func rocAUCCountsPairsWithTies() {
        // Positives at 0.8, 0.4; negatives at 0.5, 0.4, 0.1: pairs ranked right 1 + 1 + 1 + 0 + 0.5 (tie) + 1 = 4.5 of 6.
        let auc = Metrics.rocAUC(scores: [0.8, 0.4, 0.5, 0.4, 0.1], labels: [1, 1, 0, 0, 0])
        #expect(auc == 4.5 / 6)
        #expect(Metrics.rocAUC(scores: [0.1, 0.2], labels: [1, 1]) == nil)
    }

    @Test func regressionMetrics() {
        let targets: [Float] = [1, 2, 3, 4]
        let predictions: [Float] = [1.5, 2, 2, 4]
        #expect(abs(Metrics.rmse(predictions: predictions, targets: targets) - (1.25 / 4).squareRoot()) < 1e-9)
        #expect(abs(Metrics.mae(predictions: predictions, targets: targets) - 0.375) < 1e-9)
        #expect(abs(Metrics.r2(predictions: predictions, targets: targets) - (1 - 1.25 / 5)) < 1e-9)
        #expect(Metrics.r2(predictions: targets, targets: targets) == 1)
    }
}

@Suite struct OptimizerConfigCodingTests {
    @Test func encodesWithTheJobFileKeysAndReadsThemBack() throws {
        let config = OptimizerConfig(kind: .sgd, learningRate: 0.1, momentum: 0.9, weightDecay: 0.001, clipNorm: 2)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(config), as: UTF8.self)
        #expect(
            json
                == #"{"beta1":0.9,"beta2":0.999,"clip_norm":2,"epsilon":1e-08,"kind":"sgd","lr":0.1,"momentum":0.9,"nesterov":false,"weight_decay":0.001}"#
        )
        #expect(try JSONDecoder().decode(OptimizerConfig.self, from: Data(json.utf8)) == config)
    }

    /// Checkpoints written before the job file's names were adopted still load.
    @Test func readsTheKeysOfOlderCheckpoints() throws {
        let old =
            #"{"kind":"adam","learningRate":0.01,"momentum":0,"nesterov":false,"weightDecay":0.1,"beta1":0.9,"beta2":0.999,"epsilon":1e-08}"#
        let config = try JSONDecoder().decode(OptimizerConfig.self, from: Data(old.utf8))
        #expect(config == OptimizerConfig(kind: .adam, learningRate: 0.01, weightDecay: 0.1))
    }
}
