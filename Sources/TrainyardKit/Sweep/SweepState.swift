import Foundation
import JobConfiguration
import ModelPackage
import Sweeps

/// Everything a sweep needs to go on after an interruption, saved as JSON in the sweep run's
/// artifact directory (`artifacts/SWEEP_ID/sweep.json`, replaced atomically after every
/// event): the scheduler with its decisions, each trial's run and per-epoch objective, and
/// the outcome. The random draws need no saved state: trial i draws from Philox stream
/// (seed, i).
package struct SweepState: Codable {
    package enum Status: String, Codable { case running, interrupted, finished }

    /// One trial as the sweep sees it.
    package struct Trial: Codable {
        package let index: Int
        package let parameters: [ParameterAssignment]
        /// Its run, once started.
        package var runID: String?
        /// The objective after each epoch trained (index 0: epoch 1).
        package var objective: [Double] = []
        /// The last value of every metric.
        package var metrics: [String: Double] = [:]
        /// Why the trial failed, if it did.
        package var error: String?
    }

    /// A running trial's lane and the virtual time (epochs) it ends at; see ``SweepRunner``.
    package struct Placement: Codable, Equatable {
        package let trial: Int
        package let lane: Int
        package let end: Int
    }

    /// Compute spent and the best objective so far, after every epoch of any trial.
    package struct ProgressPoint: Codable, Equatable {
        package let epochs: Int
        package let best: Double
    }

    package let sweepID: String
    package let digest: String
    package var status: Status
    package var scheduler: SweepScheduler
    package var trials: [Trial]
    package var history: [ProgressPoint] = []
    /// Trials placed on lanes and not yet reported to the scheduler.
    package var placements: [Placement] = []
    /// Virtual time of the last result reported, in epochs.
    package var clock = 0
    /// `MODEL/VERSION` of the registered best model, once registered.
    package var registered: String?

    package init(sweepID: String, definition: SweepDefinition) {
        self.sweepID = sweepID
        digest = definition.digest
        status = .running
        var asha: ASHASettings?
        if case .asha(let settings) = definition.spec.algorithm { asha = settings }
        scheduler = SweepScheduler(
            trialCount: definition.parameters.count, objective: definition.spec.objective, asha: asha)
        trials = definition.parameters.enumerated().map { Trial(index: $0.offset, parameters: $0.element) }
    }

    /// Epochs trained by all trials together.
    package var totalEpochs: Int { trials.reduce(0) { $0 + $1.objective.count } }

    /// Records epoch `epoch` of trial `index` (again, identically, when a trial is resumed from
    /// a checkpoint before that epoch).
    package mutating func record(trial index: Int, epoch: Int, value: Double, metrics: [String: Double]) {
        if trials[index].objective.count >= epoch {
            trials[index].objective[epoch - 1] = value
        } else {
            trials[index].objective.append(value)
        }
        trials[index].metrics = metrics
        let objective = scheduler.objective
        let previous = history.last?.best ?? .nan
        history.append(
            ProgressPoint(epochs: totalEpochs, best: objective.isBetter(value, than: previous) ? value : previous))
    }

    package static func url(in directory: URL) -> URL { directory.appendingPathComponent("sweep.json") }

    /// Writes the state atomically (temporary file, fsync, rename).
    package func save(in directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try AtomicFile.write(Array(try encoder.encode(self)), to: Self.url(in: directory))
    }

    /// The saved state, or nil when there is none.
    /// - Throws: ``BadInput`` for a state file that cannot be read.
    package static func load(from directory: URL) throws -> SweepState? {
        guard let data = FileManager.default.contents(atPath: url(in: directory).path) else { return nil }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try decoder.decode(SweepState.self, from: data)
        } catch {
            throw BadInput("\(url(in: directory).path): cannot read the sweep state: \(error)")
        }
    }
}

extension SweepState {
    /// Trial `index`'s status as users read it: a paused ASHA trial of a finished sweep was
    /// stopped early.
    package func statusText(ofTrial index: Int) -> String {
        let trial = scheduler.trials[index]
        switch trial.state {
        case .paused: return status == .finished ? "stopped" : "paused"
        case .completed: return "finished"
        default: return trial.state.rawValue
        }
    }
}
