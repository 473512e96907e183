import Foundation
import JobConfiguration
import Sweeps
import TrackingStore
import TrainingRuntime

/// One invocation of a sweep (new or resumed): runs the trials, then records the outcome on
/// the sweep run and registers the best trial's model.
package struct SweepSession {
    package let definition: SweepDefinition
    package let sweepID: String
    package let data: DataContext
    package let environment: RunEnvironment

    package init(definition: SweepDefinition, sweepID: String, data: DataContext, environment: RunEnvironment) {
        self.definition = definition
        self.sweepID = sweepID
        self.data = data
        self.environment = environment
    }

    /// The sweep run's params: how it searches.
    package static func params(_ spec: SweepSpec) -> [String: String] {
        [
            "sweep.algorithm": spec.algorithm.name, "sweep.trials": String(spec.trials),
            "sweep.parallel": String(spec.parallel),
            "sweep.seed": String(spec.seed), "sweep.objective.metric": spec.objective.metric,
            "sweep.objective.mode": spec.objective.mode.rawValue,
        ]
    }

    /// The sweep run for `definition`: an unfinished one of the same file and base job (taken up
    /// again: `resumed` is true), or a new one recorded now.
    package static func startOrContinue(
        _ definition: SweepDefinition, data: DataContext,
        environment: RunEnvironment
    ) throws -> (sweepID: String, resumed: Bool) {
        let store = data.catalog
        let filter = try RunFilter(parsing: "tags.sweep.digest = \"\(definition.digest)\"")
        let previous = try data.catalogCall { try store.listRuns(RunQuery(filter: filter)) }.first {
            $0.status != .finished
        }
        if let previous { return (previous.id, true) }
        let sweepID = try data.catalogCall {
            let id = try store.startRun(
                experiment: definition.experiment, name: definition.name,
                configJSON: definition.document.jsonText, codeRevision: environment.codeRevision,
                host: ProcessInfo.processInfo.hostName)
            try store.setTag(runID: id, key: "sweep.digest", value: definition.digest)
            try store.logParams(runID: id, params(definition.spec))
            return id
        }
        return (sweepID, false)
    }

    /// The sweep run `reference` and its definition, as recorded when it started.
    /// - Throws: ``BadInput`` for an unknown run or a run that is not a sweep.
    package static func open(_ reference: String, data: DataContext) throws -> (SweepDefinition, String) {
        let store = data.catalog
        let sweepID = try data.catalogCall { try store.resolveRunID(reference) }
        let run = try data.catalogCall { try store.run(sweepID) }
        guard run.tags["sweep.digest"] != nil else {
            throw BadInput("run \(sweepID) is not a sweep (no sweep.digest tag)")
        }
        let origin = "sweep \(sweepID) config"
        let definition = try SweepDefinition(
            document: try ConfigValue(jsonText: run.configJSON, source: origin), origin: origin)
        return (definition, sweepID)
    }

    /// Runs the sweep's remaining trials on `workers` local workers until it finishes or `stop`
    /// is requested; returns the final state (status `interrupted` when stopped: the running
    /// trials are checkpointed and `sweep resume` goes on with the same decisions).
    package func run(workers: Int, stop: StopFlag, progress: SweepProgress) throws -> SweepState {
        let parallel = definition.spec.parallel
        guard workers >= parallel else {
            throw BadInput(
                "--workers \(workers) is fewer than the sweep's parallel (\(parallel)): each trial that runs at once needs a worker"
            )
        }
        let store = data.catalog
        let directory = data.home.artifacts.appendingPathComponent(sweepID, isDirectory: true)
        var state = try SweepState.load(from: directory) ?? SweepState(sweepID: sweepID, definition: definition)
        guard state.digest == definition.digest else {
            throw BadInput(
                "sweep \(sweepID): \(SweepState.url(in: directory).path) belongs to another sweep definition")
        }
        if state.status != .finished {
            let run = try data.catalogCall { try store.run(sweepID) }
            if run.status == .running, let holder = run.tags["coordinator"], TrainingSession.isAlive(holder) {
                throw BadInput("sweep \(sweepID) is still running (process \(holder)); stop it first")
            }
            try store.reopenRun(sweepID)
            try recordDirectory(directory, store: store)
            try store.setTag(
                runID: sweepID, key: "coordinator", value: "\(ProcessInfo.processInfo.hostName) \(getpid())")
            let runner = SweepRunner(
                definition: definition, state: state, store: store, directory: directory,
                environment: environment, stop: stop, progress: progress)
            state = try runner.run(workers: workers)
            if state.status == .interrupted {
                try? store.finishRun(sweepID, status: .killed)
                return state
            }
            try finish(&state, directory: directory)
        }
        return state
    }

    /// Records the sweep's directory (its `sweep.json` state and the pool's worker logs) as an
    /// artifact of the sweep run, once, so `trainyard gc` keeps it.
    private func recordDirectory(_ directory: URL, store: TrackingStore) throws {
        let path = "artifacts/\(sweepID)"
        guard try !store.run(sweepID).artifacts.contains(where: { $0.path == path }) else { return }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try store.logArtifact(
            runID: sweepID, kind: "sweep", path: path,
            digest: TrainingSession.sha256Hex(Data(definition.digest.utf8)), size: 0)
    }

    /// Marks trials that ASHA never promoted as stopped early, registers the best trial's model
    /// (once) and finishes the sweep run.
    private func finish(_ state: inout SweepState, directory: URL) throws {
        let store = data.catalog
        for trial in state.scheduler.trials where trial.state == .paused {
            guard let runID = state.trials[trial.index].runID else { continue }
            try store.setTag(
                runID: runID, key: "sweep.stopped_at_epoch", value: String(state.trials[trial.index].objective.count))
            try store.finishRun(runID, status: .finished)
        }
        guard let best = state.scheduler.best, let bestRun = state.trials[best.index].runID else {
            try store.finishRun(sweepID, status: .failed)
            throw WorkFailed("sweep \(sweepID): no trial produced \(state.scheduler.objective.metric)")
        }
        try store.setTag(runID: sweepID, key: "sweep.best_run", value: bestRun)
        try store.logMetric(
            runID: sweepID, key: "best_\(state.scheduler.objective.metric)", step: state.totalEpochs,
            value: best.results.last ?? .nan)
        if let registration = definition.spec.register, state.registered == nil {
            state.registered = try register(registration, runID: bestRun)
            try state.save(in: directory)
        }
        try store.finishRun(sweepID, status: .finished)
    }

    /// Registers the model package of `runID` (its `model` artifact) as a new model version and
    /// points the alias at it; returns `MODEL/VERSION`.
    private func register(_ registration: SweepSpec.Registration, runID: String) throws -> String {
        let store = data.catalog
        let run = try store.run(runID)
        guard let artifact = run.artifacts.last(where: { $0.kind == "model" }) else {
            throw WorkFailed("the best trial's run \(runID) has no model package to register")
        }
        let version = try store.registerModelVersion(
            name: registration.model, sourceRunID: runID,
            packagePath: artifact.path, packageDigest: artifact.digest)
        if let alias = registration.alias {
            try store.setAlias(model: registration.model, alias: alias, version: version, actor: "sweep \(sweepID)")
        }
        return "\(registration.model)/\(version)"
    }
}
