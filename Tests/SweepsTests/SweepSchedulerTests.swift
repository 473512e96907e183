import Foundation
import Sweeps
import Testing

/// The scheduler as a state machine, driven by a synthetic objective with a known optimum and a
/// simulated pool of slots (no processes, no clocks).
struct SweepSchedulerTests {
    /// Validation loss of trial `quality` after `epochs`: the optimum is quality 0, and every
    /// trial improves with training, the ranking never changing across rungs.
    static func loss(quality: Double, epochs: Int) -> Double { quality * quality + 1 / Double(epochs) }

    /// Trial qualities in a scrambled order; trial 13 is the known optimum.
    static let qualities: [Double] = {
        var values = (0..<40).map { Double(($0 * 17) % 40 + 1) / 10 }
        values[13] = 0
        return values
    }()

    static let asha = try! ASHASettings(minResource: 1, maxResource: 27, reductionFactor: 3, gracePeriod: 1)

    /// Runs the scheduler with `slots` concurrent trials until it finishes. A trial takes as long
    /// as the epochs it trains; the earliest to end reports first. Returns the epochs each trial
    /// trained.
    static func simulate(
        _ scheduler: inout SweepScheduler, slots: Int, trained: inout [Int],
        stopAfterReports: Int = .max
    ) -> Int {
        var running: [(end: Int, trial: Int, epoch: Int)] = []
        var clock = 0
        var reports = 0
        while true {
            fill: while running.count < slots {
                switch scheduler.suggest() {
                case .start(let trial, let until):
                    let epoch = until ?? 27
                    running.append((clock + epoch - trained[trial], trial, epoch))
                case .promote(let trial, let until):
                    running.append((clock + until - trained[trial], trial, until))
                case .wait: break fill
                case .finished: return reports
                }
            }
            guard !running.isEmpty else { return reports }
            running.sort { ($0.end, $0.trial) < ($1.end, $1.trial) }
            let next = running.removeFirst()
            clock = next.end
            trained[next.trial] = next.epoch
            scheduler.report(trial: next.trial, value: loss(quality: qualities[next.trial], epochs: next.epoch))
            reports += 1
            if reports >= stopAfterReports { return reports }
        }
    }

    @Test func ashaStopsPoorTrialsEarlyAndKeepsTheBest() throws {
        var scheduler = SweepScheduler(
            trialCount: 40, objective: .init(metric: "val_loss", mode: .min), asha: Self.asha)
        var trained = Array(repeating: 0, count: 40)
        _ = Self.simulate(&scheduler, slots: 3, trained: &trained)
        #expect(scheduler.suggest() == .finished)
        let best = try #require(scheduler.best)
        #expect(best.index == 13)
        #expect(best.state == .completed && best.results.count == 4)
        // The worst half never gets past the first rung.
        let worst = (0..<40).sorted { Self.qualities[$0] > Self.qualities[$1] }.prefix(20)
        for trial in worst {
            #expect(
                scheduler.trials[trial].results.count == 1,
                "trial \(trial) (quality \(Self.qualities[trial])) was promoted")
            #expect(trained[trial] == 1)
        }
        // Far less compute than training every trial fully (40 × 27 epochs).
        let total = trained.reduce(0, +)
        #expect(total < 40 * 27 / 3, "ASHA trained \(total) epochs")
        #expect(scheduler.trials.allSatisfy { $0.state == .paused || $0.state == .completed })
    }

    @Test func promotesWithoutWaitingForTheRungToFill() {
        var scheduler = SweepScheduler(trialCount: 9, objective: .init(metric: "val_loss", mode: .min), asha: Self.asha)
        for trial in 0..<3 {
            #expect(scheduler.suggest() == .start(trial: trial, untilEpoch: 1))
            scheduler.report(trial: trial, value: Double(3 - trial))
        }
        // Three results at rung 0: the best (trial 2) is promoted at once, before trial 3 starts.
        #expect(scheduler.suggest() == .promote(trial: 2, untilEpoch: 3))
        #expect(scheduler.suggest() == .start(trial: 3, untilEpoch: 1))
    }

    @Test func gridAndRandomRunEveryTrialToTheEnd() {
        var scheduler = SweepScheduler(trialCount: 3, objective: .init(metric: "val_accuracy", mode: .max), asha: nil)
        #expect(scheduler.suggest() == .start(trial: 0, untilEpoch: nil))
        #expect(scheduler.suggest() == .start(trial: 1, untilEpoch: nil))
        #expect(scheduler.suggest() == .start(trial: 2, untilEpoch: nil))
        #expect(scheduler.suggest() == .wait)
        scheduler.report(trial: 1, value: 0.9)
        scheduler.fail(trial: 0)
        #expect(scheduler.suggest() == .wait)
        scheduler.report(trial: 2, value: .nan)
        #expect(scheduler.suggest() == .finished)
        #expect(scheduler.best?.index == 1)
        #expect(scheduler.trials.map(\.state) == [.failed, .completed, .completed])
    }

    @Test func aSavedSchedulerMakesTheSameDecisions() throws {
        let objective = SweepSpec.Objective(metric: "val_loss", mode: .min)
        var uninterrupted = SweepScheduler(trialCount: 40, objective: objective, asha: Self.asha)
        var trainedA = Array(repeating: 0, count: 40)
        _ = Self.simulate(&uninterrupted, slots: 1, trained: &trainedA)

        var first = SweepScheduler(trialCount: 40, objective: objective, asha: Self.asha)
        var trainedB = Array(repeating: 0, count: 40)
        _ = Self.simulate(&first, slots: 1, trained: &trainedB, stopAfterReports: 17)
        var restored = try JSONDecoder().decode(SweepScheduler.self, from: try JSONEncoder().encode(first))
        #expect(restored == first)
        _ = Self.simulate(&restored, slots: 1, trained: &trainedB)
        #expect(restored.decisions == uninterrupted.decisions)
        #expect(restored.trials == uninterrupted.trials)
        #expect(trainedB == trainedA)
    }
}
