/// Asynchronous successive halving: rungs at `minResource · η^k` epochs, capped by
/// `maxResource`, the last rung being `maxResource` itself.
package struct ASHASettings: Equatable, Sendable, Codable {
    /// Epochs a trial trains before its first rung.
    package let minResource: Int
    /// Epochs of a fully trained trial (the top rung); also the horizon of every trial's
    /// learning-rate schedule, so a promoted trial continues the schedule it started.
    package let maxResource: Int
    /// η: a rung promotes its top 1/η.
    package let reductionFactor: Int
    /// No trial is paused before this many epochs: rungs below it are skipped.
    package let gracePeriod: Int

    /// - Throws: ``SweepSpecError`` naming the `algorithm.*` key that is out of range.
    package init(minResource: Int, maxResource: Int, reductionFactor: Int, gracePeriod: Int) throws {
        guard minResource >= 1 else {
            throw SweepSpecError(key: "algorithm.min_resource", "must be at least 1 epoch, found \(minResource)")
        }
        guard maxResource >= minResource else {
            throw SweepSpecError(
                key: "algorithm.max_resource",
                "must be at least min_resource (\(minResource)), found \(maxResource)")
        }
        guard reductionFactor >= 2 else {
            throw SweepSpecError(key: "algorithm.reduction_factor", "must be at least 2, found \(reductionFactor)")
        }
        guard (1...maxResource).contains(gracePeriod) else {
            throw SweepSpecError(
                key: "algorithm.grace_period",
                "must be between 1 and max_resource (\(maxResource)), found \(gracePeriod)")
        }
        self.minResource = minResource
        self.maxResource = maxResource
        self.reductionFactor = reductionFactor
        self.gracePeriod = gracePeriod
    }

    /// The rungs in epochs, ascending, ending at `maxResource`: for 1, 27, η = 3: 1, 3, 9, 27.
    package var rungs: [Int] {
        var rungs: [Int] = []
        var resource = minResource
        while resource < maxResource {
            if resource >= gracePeriod { rungs.append(resource) }
            resource *= reductionFactor
        }
        return rungs + [maxResource]
    }
}
