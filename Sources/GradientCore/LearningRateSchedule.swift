import Foundation

/// A learning-rate schedule: a pure function of the step number, owning its base rate.
///
/// The rate at step `s` (0-based) is `base · warmup(s) · decay(s)`: linear warm-up from
/// `base/warmupSteps` to `base` over the first `warmupSteps` steps, then the decay of ``kind``,
/// counted from the end of warm-up. Every training mode (the coordinator's step, a local-SGD
/// round's steps on a worker) asks ``rate(at:)``: the one place the rate is computed.
package struct LearningRateSchedule: Codable, Sendable, Hashable {
    package enum Kind: String, Codable, Sendable, CaseIterable { case constant, step, cosine }

    package var kind: Kind
    /// The rate after warm-up, before decay (the optimizer's `lr`).
    package var base: Float
    package var warmupSteps: Int
    /// `step`: multiply by `gamma` every `stepSize` steps.
    package var stepSize: Int
    package var gamma: Float
    /// `cosine`: steps over which the rate falls from base to `minimumRate`.
    package var totalSteps: Int
    package var minimumRate: Float

    package init(
        kind: Kind = .constant, base: Float, warmupSteps: Int = 0, stepSize: Int = 1, gamma: Float = 0.1,
        totalSteps: Int = 1, minimumRate: Float = 0
    ) {
        self.kind = kind
        self.base = base
        self.warmupSteps = warmupSteps
        self.stepSize = stepSize
        self.gamma = gamma
        self.totalSteps = totalSteps
        self.minimumRate = minimumRate
    }

    /// Throws if a count is out of range.
    package func validate() throws(GradientCoreError) {
        guard warmupSteps >= 0 else {
            throw .invalidConfiguration("schedule.warmup_steps must be >= 0, got \(warmupSteps)")
        }
        guard stepSize > 0 else { throw .invalidConfiguration("schedule.step_size must be > 0, got \(stepSize)") }
        guard totalSteps > 0 else { throw .invalidConfiguration("schedule.total_steps must be > 0, got \(totalSteps)") }
    }

    /// The learning rate at 0-based `step`.
    package func rate(at step: Int) -> Float {
        if step < warmupSteps {
            return base * Float(step + 1) / Float(warmupSteps)
        }
        let s = step - warmupSteps
        switch kind {
        case .constant:
            return base
        case .step:
            return base * Float(Optimizer.power(Double(gamma), s / stepSize))
        case .cosine:
            let progress = min(Double(s) / Double(totalSteps), 1)
            let factor = 0.5 * (1 + cos(Double.pi * progress))
            return minimumRate + (base - minimumRate) * Float(factor)
        }
    }
}
