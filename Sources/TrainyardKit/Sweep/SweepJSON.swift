import Foundation
import JobConfiguration
import Sweeps

extension ParameterValue {
    /// The value as plain JSON (numbers, strings, lists).
    package var json: JSONValue {
        switch self {
        case .bool(let b): return .bool(b)
        case .int(let i): return .number(Double(i))
        case .double(let d): return .number(d)
        case .string(let s): return .string(s)
        case .list(let items): return .array(items.map(\.json))
        }
    }
}

/// What `sweep --json` prints when the sweep ends (README "Concepts").
package struct SweepResultJSON: Encodable {
    package let sweep_id: String
    package let best_run_id: String?
    package let best_params: [String: JSONValue]
    package let best_metric: Double?

    package init(_ state: SweepState) {
        sweep_id = state.sweepID
        let best = state.scheduler.best
        best_run_id = best.flatMap { state.trials[$0.index].runID }
        best_params = best.map { SweepStatusJSON.params(state.trials[$0.index].parameters) } ?? [:]
        best_metric = best?.results.last
    }
}

/// What `sweep status --json` prints: the result fields plus every trial and the progress.
package struct SweepStatusJSON: Encodable {
    package struct Trial: Encodable {
        package let trial: Int
        package let run_id: String?
        package let params: [String: JSONValue]
        package let status: String
        package let rung: Int
        package let epochs: Int
        package let metric: Double?
        /// The objective after each epoch trained.
        package let values: [Double]
        package let error: String?
    }

    package let sweep_id: String
    package let name: String
    package let status: String
    package let algorithm: String
    package let objective: [String: String]
    package let best_run_id: String?
    package let best_params: [String: JSONValue]
    package let best_metric: Double?
    package let registered: String?
    package let total_epochs: Int
    package let trials: [Trial]
    /// After every epoch of any trial: epochs trained so far and the best objective so far.
    package let history: [SweepState.ProgressPoint]

    package init(_ state: SweepState, definition: SweepDefinition) {
        let result = SweepResultJSON(state)
        sweep_id = state.sweepID
        name = definition.name
        status = state.status.rawValue
        algorithm = definition.spec.algorithm.name
        objective = ["metric": state.scheduler.objective.metric, "mode": state.scheduler.objective.mode.rawValue]
        best_run_id = result.best_run_id
        best_params = result.best_params
        best_metric = result.best_metric
        registered = state.registered
        total_epochs = state.totalEpochs
        trials = state.trials.map { trial in
            let progress = state.scheduler.trials[trial.index]
            return Trial(
                trial: trial.index, run_id: trial.runID, params: Self.params(trial.parameters),
                status: state.statusText(ofTrial: trial.index), rung: progress.rung,
                epochs: trial.objective.count, metric: trial.objective.last, values: trial.objective,
                error: trial.error)
        }
        history = state.history
    }

    package static func params(_ assignments: [ParameterAssignment]) -> [String: JSONValue] {
        Dictionary(uniqueKeysWithValues: assignments.map { ($0.key, $0.value.json) })
    }
}
