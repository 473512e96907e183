import Foundation
import Sweeps

extension ParameterValue {
    /// The value as plain JSON (numbers, strings, lists).
    var json: JSONValue {
        switch self {
        case .bool(let b): return .bool(b)
        case .int(let i): return .number(Double(i))
        case .double(let d): return .number(d)
        case .string(let s): return .string(s)
        case .list(let items): return .array(items.map(\.json))
        }
    }
}

/// What `sweep --json` prints when the sweep ends (DESIGN.md).
struct SweepResultJSON: Encodable {
    let sweep_id: String
    let best_run_id: String?
    let best_params: [String: JSONValue]
    let best_metric: Double?

    init(_ state: SweepState) {
        sweep_id = state.sweepID
        let best = state.scheduler.best
        best_run_id = best.flatMap { state.trials[$0.index].runID }
        best_params = best.map { SweepStatusJSON.params(state.trials[$0.index].parameters) } ?? [:]
        best_metric = best?.results.last
    }
}

/// What `sweep status --json` prints: the result fields plus every trial and the progress.
struct SweepStatusJSON: Encodable {
    struct Trial: Encodable {
        let trial: Int
        let run_id: String?
        let params: [String: JSONValue]
        let status: String
        let rung: Int
        let epochs: Int
        let metric: Double?
        /// The objective after each epoch trained.
        let values: [Double]
        let error: String?
    }

    let sweep_id: String
    let name: String
    let status: String
    let algorithm: String
    let objective: [String: String]
    let best_run_id: String?
    let best_params: [String: JSONValue]
    let best_metric: Double?
    let registered: String?
    let total_epochs: Int
    let trials: [Trial]
    /// After every epoch of any trial: epochs trained so far and the best objective so far.
    let history: [SweepState.ProgressPoint]

    init(_ state: SweepState, definition: SweepDefinition) {
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
                status: SweepTable.status(progress, sweep: state.status), rung: progress.rung,
                epochs: trial.objective.count, metric: trial.objective.last, values: trial.objective,
                error: trial.error)
        }
        history = state.history
    }

    static func params(_ assignments: [ParameterAssignment]) -> [String: JSONValue] {
        Dictionary(uniqueKeysWithValues: assignments.map { ($0.key, $0.value.json) })
    }
}
