import GradientCore
import TrainingProtocol

/// The update rule a worker applies during a local-SGD round: the job's optimizer and
/// learning-rate schedule (sent in the job spec).
package struct LocalUpdateRule: Sendable, Equatable {
    package var optimizer: OptimizerConfig
    package var learningRate: LearningRateSchedule

    package init(optimizer: OptimizerConfig, learningRate: LearningRateSchedule) {
        self.optimizer = optimizer
        self.learningRate = learningRate
    }
}

/// A worker's share of a local-SGD round after its local steps.
package struct LocalRoundResult: Sendable {
    package let parameters: [Float]
    /// Examples over all local steps.
    package let examples: Int
    /// Σ per-example losses over all local steps (each computed before that step's update).
    package let lossSum: Double
}

/// Why a workload cannot carry out an assignment.
package struct WorkloadError: Error, CustomStringConvertible, Equatable, Sendable {
    package let description: String
}

extension MicroShardWorkload {
    /// Takes the assignment's `localSteps` optimizer steps from `parameters`: step k uses the
    /// k-th group of micro-shards (this worker's share of global batch `step + k`), their mean gradient and
    /// the schedule's rate for global step `step + k`. The optimizer state starts fresh, so the
    /// result depends only on the parameters and the rows. Steps over empty shares are skipped.
    /// - Throws: ``WorkloadError`` when the job sent no update rule; ``GradientCoreError``.
    package func localRound(_ assignment: WorkAssignment, parameters: [Float]) throws -> LocalRoundResult {
        guard let rule = localUpdate else {
            throw WorkloadError(description: "the job sent no optimizer for local SGD")
        }
        var optimizer = try Optimizer(config: rule.optimizer, parameterCount: parameters.count)
        var current = parameters
        var examples = 0
        var lossSum = 0.0
        for k in 0..<Int(assignment.localSteps) {
            var gradient = [Float](repeating: 0, count: parameters.count)
            var count = 0
            for shard in assignment.microShards(localStep: k) {
                let sum = try gradientSum(of: shard, epoch: Int(assignment.epoch), parameters: current)
                let shardGradient = sum.gradient
                for i in gradient.indices { gradient[i] += shardGradient[i] }
                count += sum.count
                lossSum += sum.lossSum
            }
            guard count > 0 else { continue }
            examples += count
            let scale = 1 / Float(count)
            for i in gradient.indices { gradient[i] *= scale }
            let rate = rule.learningRate.rate(at: Int(assignment.step) + k)
            _ = try optimizer.step(parameters: &current, gradient: gradient, learningRate: rate)
        }
        return LocalRoundResult(parameters: current, examples: examples, lossSum: lossSum)
    }
}
