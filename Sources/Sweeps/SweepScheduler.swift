/// Decides which trial runs next and how far: a plain value driven by ``suggest()`` and
/// ``report(trial:value:)``, so it is tested without processes or clocks and saved as JSON to
/// resume a sweep with the same decisions.
///
/// Grid and random search have one rung, the end of the job. ASHA (Li et al., 2020) has rungs
/// at `min_resource · η^k` epochs: when a slot is free, the scheduler promotes a paused trial
/// that ranks in the top ⌊n/η⌋ of the n results of its rung (checking the highest rung first),
/// or otherwise starts the next trial at the bottom rung. No rung waits to fill up. Trials that
/// are never promoted stay paused and count as stopped early once the sweep ends.
package struct SweepScheduler: Equatable, Sendable, Codable {
    /// What a free slot should do.
    package enum Action: Equatable, Sendable {
        /// Start trial `trial`; train until epoch `untilEpoch` (nil: the whole job).
        case start(trial: Int, untilEpoch: Int?)
        /// Continue paused trial `trial` from its checkpoint until epoch `untilEpoch`.
        case promote(trial: Int, untilEpoch: Int)
        /// Nothing to start until a running trial reports.
        case wait
        /// Every trial has completed, been stopped, or failed.
        case finished
    }

    package enum TrialState: String, Equatable, Sendable, Codable {
        case pending, running, paused, completed, failed
    }

    /// One trial's progress through the rungs.
    package struct Trial: Equatable, Sendable, Codable {
        package let index: Int
        package internal(set) var state: TrialState
        /// The objective at each rung reached, bottom first.
        package internal(set) var results: [Double]
        /// The rung being trained for while running, else the last rung reached.
        package internal(set) var rung: Int
    }

    /// One decision, for the sweep's log.
    package struct Decision: Equatable, Sendable, Codable {
        package enum Kind: String, Equatable, Sendable, Codable { case start, promote, pause, complete, fail }
        package let kind: Kind
        package let trial: Int
        package let rung: Int
    }

    package let objective: SweepSpec.Objective
    /// Rung epochs, ascending; empty for grid and random search (one rung: the whole job).
    package let rungs: [Int]
    package let reductionFactor: Int
    package private(set) var trials: [Trial]
    package private(set) var decisions: [Decision] = []

    /// A scheduler for `trialCount` trials; `asha` nil runs every trial to the end.
    package init(trialCount: Int, objective: SweepSpec.Objective, asha: ASHASettings?) {
        self.objective = objective
        rungs = asha?.rungs ?? []
        reductionFactor = asha?.reductionFactor ?? 1
        trials = (0..<trialCount).map { Trial(index: $0, state: .pending, results: [], rung: 0) }
    }

    private var rungCount: Int { max(rungs.count, 1) }

    private func epochs(ofRung rung: Int) -> Int? { rungs.isEmpty ? nil : rungs[rung] }

    /// The next action for a free slot; marks the trial it names running.
    ///
    /// Complexity: O(n log n) in the number of trials.
    package mutating func suggest() -> Action {
        if rungCount > 1 {
            for rung in stride(from: rungCount - 2, through: 0, by: -1) {
                if let trial = promotable(at: rung) {
                    trials[trial].state = .running
                    trials[trial].rung = rung + 1
                    decisions.append(Decision(kind: .promote, trial: trial, rung: rung + 1))
                    return .promote(trial: trial, untilEpoch: rungs[rung + 1])
                }
            }
        }
        if let next = trials.firstIndex(where: { $0.state == .pending }) {
            trials[next].state = .running
            trials[next].rung = 0
            decisions.append(Decision(kind: .start, trial: next, rung: 0))
            return .start(trial: next, untilEpoch: epochs(ofRung: 0))
        }
        return trials.contains { $0.state == .running } ? .wait : .finished
    }

    /// A paused trial in the top ⌊n/η⌋ of the n results at `rung` that has not gone higher.
    private func promotable(at rung: Int) -> Int? {
        let ranked = ranking(at: rung)
        for index in ranked.prefix(ranked.count / reductionFactor) {
            let trial = trials[index]
            if trial.state == .paused && trial.results.count == rung + 1 { return index }
        }
        return nil
    }

    /// Trials with a result at `rung`, best first (ties: lower index first).
    package func ranking(at rung: Int) -> [Int] {
        trials.filter { $0.results.count > rung }.map(\.index).sorted { a, b in
            let (x, y) = (trials[a].results[rung], trials[b].results[rung])
            if objective.isBetter(x, than: y) { return true }
            if objective.isBetter(y, than: x) { return false }
            return a < b
        }
    }

    /// Records the objective of running trial `trial` at the rung it was training for: the
    /// trial pauses there, or completes at the top rung.
    /// - Precondition: the trial is running.
    package mutating func report(trial: Int, value: Double) {
        precondition(trials[trial].state == .running, "trial \(trial) is not running")
        trials[trial].results.append(value)
        let top = trials[trial].rung == rungCount - 1
        trials[trial].state = top ? .completed : .paused
        decisions.append(Decision(kind: top ? .complete : .pause, trial: trial, rung: trials[trial].rung))
    }

    /// Records that running trial `trial` failed; it is not run again.
    package mutating func fail(trial: Int) {
        precondition(trials[trial].state == .running, "trial \(trial) is not running")
        trials[trial].state = .failed
        decisions.append(Decision(kind: .fail, trial: trial, rung: trials[trial].rung))
    }

    /// The epoch running trial `trial` trains until (nil: the whole job).
    package func targetEpoch(of trial: Int) -> Int? { epochs(ofRung: trials[trial].rung) }

    /// The trial with the best last result (ties: the higher rung, then the lower index).
    package var best: Trial? {
        trials.filter { !$0.results.isEmpty }.min { a, b in
            let (x, y) = (a.results.last!, b.results.last!)
            if objective.isBetter(x, than: y) { return true }
            if objective.isBetter(y, than: x) { return false }
            return a.results.count != b.results.count ? a.results.count > b.results.count : a.index < b.index
        }
    }
}
