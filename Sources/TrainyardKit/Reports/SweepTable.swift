import Foundation
import Sweeps

/// The sweep's table: trial, run, parameters, epochs, rung, objective, status; best first.
package enum SweepTable {
    /// Trials with a result first, best first; then the others by index.
    package static func order(_ state: SweepState) -> [Int] {
        let objective = state.scheduler.objective
        return state.trials.indices.sorted { a, b in
            let (x, y) = (state.trials[a].objective.last, state.trials[b].objective.last)
            switch (x, y) {
            case let (x?, y?):
                if objective.isBetter(x, than: y) { return true }
                if objective.isBetter(y, than: x) { return false }
                return a < b
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a < b
            }
        }
    }

    /// The table; with `limit`, only the first `limit` trials and a line counting the others.
    package static func render(_ state: SweepState, keys: [String], limit: Int? = nil) -> String {
        let scheduler = state.scheduler
        var table = TextTable(["trial", "run"] + keys + ["epochs", "rung", scheduler.objective.metric, "status"])
        let rungs = max(scheduler.rungs.count, 1)
        let shown = order(state).prefix(limit ?? state.trials.count)
        for index in shown {
            let trial = state.trials[index]
            let progress = scheduler.trials[index]
            let values = keys.map { key in trial.parameters.first { $0.key == key }.map { "\($0.value)" } ?? "" }
            let rung = progress.state == .pending ? "-" : "\(progress.rung + 1)/\(rungs)"
            table.add(
                ["\(index)", trial.runID ?? "-"] + values + [
                    "\(trial.objective.count)", rung, trial.objective.last.map { String(format: "%.4f", $0) } ?? "-",
                    state.statusText(ofTrial: index),
                ])
        }
        let hidden = state.trials.count - shown.count
        return table.render()
            + (hidden > 0 ? "\n… \(hidden) more trials (trainyard sweep status \(state.sweepID))" : "")
    }
}

extension SweepState {
    /// What a finished sweep prints: the table, the best trial, the registered model, the epochs.
    package func resultText(keys: [String]) -> String {
        var lines = [SweepTable.render(self, keys: keys)]
        if let best = scheduler.best {
            let trial = trials[best.index]
            let values = trial.parameters.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            lines.append(
                "best: trial \(best.index), run \(trial.runID ?? "-"), \(scheduler.objective.metric) "
                    + "\(String(format: "%.6g", best.results.last ?? .nan)) (\(values))")
        }
        if let registered { lines.append("registered \(registered)") }
        lines.append("sweep \(sweepID) finished: \(totalEpochs) epochs trained")
        return lines.joined(separator: "\n")
    }

    /// What `sweep status` prints: the table and how far the sweep got.
    package func statusText(keys: [String]) -> String {
        SweepTable.render(self, keys: keys) + "\n"
            + "sweep \(sweepID) \(status.rawValue): \(scheduler.trials.filter { $0.state != .pending }.count) "
            + "of \(trials.count) trials started, \(totalEpochs) epochs trained"
    }
}
