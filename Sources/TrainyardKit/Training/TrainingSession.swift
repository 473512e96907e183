import Crypto
import Datasets
import Foundation
import GradientCore
import HexText
import JobConfiguration
import Logging
import ModelPackage
import ModelServer
import TrackingStore
import TrainingProtocol
import TrainingRuntime
import ZeroMQ

/// The result printed by `train --json` (and `coordinator --json`, `resume --json`): the
/// contract's `run_id`, `status`, `metrics` and `final_params_sha256`, plus extensions.
package struct TrainingSummary: Encodable {
    package let run_id: String
    package let status: String
    package let metrics: [String: Double]
    package let final_params_sha256: String?
    /// `NAME/VERSION` when the config registered the model (an extension of the contract).
    package var model_version: String? = nil
    /// Why a FAILED run failed (an extension of the contract).
    package var failure: String? = nil
}

/// Where a session's job comes from: a validated job (a new run) or a run to resume.
package enum JobSource {
    /// A new run of `config`; `origin` (the job file) names it in errors.
    case config(JobConfig, origin: String)
    /// Continue `run` from its newest valid checkpoint; `force` accepts a checkpoint whose
    /// config digest differs (never another architecture, optimizer or dataset).
    case resume(run: String, force: Bool)
    /// A new run of a job document built in memory (a sweep trial); `origin` names it in errors.
    case document(ConfigValue, origin: String)
}

/// Runs one training job as the coordinator: resolves the data, records the run (or reopens it,
/// when resuming), drives the coordinator loop with background checkpoints, and records the
/// outcome, the final parameters and the model package. Used by `train` and `resume` (with local
/// workers), `coordinator` (workers elsewhere) and sweep trials.
///
/// Everything comes in as values: the home, the build's revision, the shared-memory directory,
/// the stop flag (the caller's signal handling) and where progress is shown.
package struct TrainingSession {
    package let source: JobSource
    package let environment: RunEnvironment
    package let controlBind: String
    package let broadcastBind: String?
    /// Where progress lines and events go (a terminal, a log, nowhere).
    package let display: ProgressDisplay
    /// Asks the coordinator to stop (SIGINT/SIGTERM in the CLI); a trial uses its hooks' flag.
    package var stop = StopFlag()

    /// Where to serve the coordinator's `/metrics` (host, port; port 0 picks one), if anywhere.
    package var metricsAddress: (host: String, port: Int)? = nil
    /// Set when a sweep runs this session as one of its trials.
    package var trial: TrialHooks? = nil
    /// Worker processes on this host (0: all elsewhere), for sharing its cores.
    package var localWorkers = 0

    package init(
        source: JobSource, environment: RunEnvironment, controlBind: String, broadcastBind: String?,
        display: ProgressDisplay
    ) {
        self.source = source
        self.environment = environment
        self.controlBind = controlBind
        self.broadcastBind = broadcastBind
        self.display = display
    }

    /// The broadcast endpoint next to a control endpoint: its address with the port after its own
    /// (nil when `control` ends in no port number).
    package static func broadcastEndpoint(nextTo control: String) -> String? {
        guard let colon = control.lastIndex(of: ":"), let port = Int(control[control.index(after: colon)...])
        else { return nil }
        return String(control[...colon]) + String(port + 1)
    }

    /// Runs the job; `launch` starts workers once the coordinator is bound (or does nothing).
    package func run(
        launch: (_ endpoint: String, _ jobID: JobID, _ job: PreparedJob, _ runDirectory: URL) throws -> Void,
        afterRun: () -> Void
    ) throws -> TrainingSummary {
        MemoryTuning.keepLargeBuffersOnHeap()
        let data = try DataContext.open(home: environment.home)
        let store = data.catalog
        let opened = try open(data: data)
        let (config, record, version, runID) = (opened.config, opened.record, opened.version, opened.runID)
        let origin = opened.origin
        trial?.runOpened(runID)
        var validationVersion: DatasetVersion?
        if case .dataset(let reference) = config.data.validation {
            validationVersion = try data.resolve(reference).1
        }
        let job: PreparedJob
        do {
            job = try PreparedJob.prepare(config: config, version: version, validationVersion: validationVersion)
        } catch let error as JobPreparationError {
            throw BadInput("\(origin): \(error.description)")
        } catch let error as DatasetError {
            throw error.cliError
        }
        let model = try job.model.makeModel()
        let runDirectory = data.home.artifacts.appendingPathComponent(runID, isDirectory: true)
        let checkpoints = runDirectory.appendingPathComponent("checkpoints", isDirectory: true)
        let identity = CheckpointIdentity(
            model: job.model, optimizer: job.optimizer,
            configDigest: try Self.trainingConfigDigest(config),
            datasetDigest: version.digest, seed: job.seed)
        let reporter = ProgressReporter(
            job: job, model: model, store: store, runID: runID,
            computeThreads: localWorkers * config.training.threadsPerWorker,
            display: trial == nil ? display : SilentDisplay())

        // Where training starts: a fresh model, or the newest valid checkpoint of the run.
        var start = TrainingSnapshot(
            parameters: job.model.initialParameters(seed: job.seed),
            optimizer: try Optimizer(config: job.optimizer, parameterCount: model.layout.count).state,
            completedSteps: 0)
        if case .resume(_, let force) = source {
            let (checkpoint, warnings) = CheckpointFormat.newestValid(in: checkpoints)
            for warning in warnings { reporter.line("warning: \(warning)") }
            if let checkpoint {
                if let why = checkpoint.mismatch(with: identity, force: force) {
                    throw BadInput("cannot resume run \(runID): \(why)")
                }
                start = checkpoint.snapshot
                reporter.line(
                    "resuming run \(runID) from \(checkpoint.url.lastPathComponent) (step \(start.completedSteps) of \(job.totalSteps))"
                )
            } else {
                reporter.line(
                    "warning: run \(runID) has no valid checkpoint in \(checkpoints.path); starting from step 0")
            }
            try store.reopenRun(runID)
            try store.setTag(
                runID: runID, key: "event.\(Int(Date().timeIntervalSince1970 * 1000))",
                value: "resumed from step \(start.completedSteps)")
        }
        try? store.setTag(runID: runID, key: "coordinator", value: "\(ProcessInfo.processInfo.hostName) \(getpid())")
        reporter.line(
            "run \(runID): \(config.model.kind.rawValue) on \(record.versionLabel), \(job.split.train.count) training rows, \(job.totalSteps) steps"
        )

        var status = RunStatus.failed
        var digest: String?
        defer {
            reporter.finish()
            afterRun()
            Self.recordLogs(in: runDirectory, runID: runID, store: store)
            try? store.finishRun(runID, status: status, finalParamsSHA256: digest)
        }
        // A sweep handles signals once for all its trials and stops them through their flags.
        let stop = trial?.stop ?? self.stop
        let context = try Context()
        let jobID = JobID.random()
        var logger = Logger(label: "trainyard.coordinator")
        logger.logLevel = .warning
        let server = try CoordinatorServer(
            context: context, jobID: jobID, parameterCount: model.layout.count,
            controlBind: controlBind, broadcastBind: broadcastBind,
            sharedMemoryDirectory: environment.sharedMemoryDirectory, logger: logger)
        server.dataset = try? DatasetArchive(directory: data.store.directory(digest: version.digest))
        guard let port = CoordinatorServer.port(of: server.broadcastEndpoint) else {
            throw WorkFailed("could not read the broadcast port from \(server.broadcastEndpoint)")
        }
        let specJSON = String(
            decoding: try Self.sortedEncoder.encode(
                try job.workerSpec(broadcastPort: port, sharedParameters: server.sharedParametersPath)), as: UTF8.self)
        let configDigest = ContentDigest(bytes: Array(SHA256.hash(data: Data(specJSON.utf8))))!
        var setup = TrainerSetup(
            jobID: jobID, model: model, schedule: job.batches, epochs: config.training.epochs,
            optimizer: job.optimizer, learningRate: job.learningRate,
            heartbeatInterval: config.cluster.heartbeatInterval, heartbeatTimeout: config.cluster.heartbeatTimeout,
            minWorkers: config.cluster.minWorkers, datasetDigest: ContentDigest(hex: version.digest)!,
            jobConfiguration: specJSON, configDigest: configDigest)
        setup.maxStaleness = config.training.maxStaleness
        setup.localSteps = config.training.localSteps
        setup.stragglerPolicy = config.cluster.stragglerPolicy
        setup.stragglerFactor = config.cluster.stragglerFactor
        // The coordinator's update of a large model may use every core: sync workers wait for it.
        setup.updateThreads = ProcessInfo.processInfo.activeProcessorCount
        server.updateThreads = setup.updateThreads
        let optimizer = try Optimizer(config: job.optimizer, parameterCount: model.layout.count, state: start.optimizer)
        let writer = CheckpointWriter(
            directory: checkpoints, keep: config.checkpoint.keep, identity: identity,
            schedule: job.batches, extra: ["run_id": runID, "code_revision": environment.codeRevision ?? ""])
        var metrics: TrainingMetrics?
        if let address = metricsAddress {
            let m = TrainingMetrics(runID: runID, minWorkers: config.cluster.minWorkers)
            do {
                let port = try MetricsEndpoint.start(
                    registry: m.registry, host: address.host, port: address.port, logger: logger)
                reporter.line("metrics on http://\(address.host):\(port)/metrics")
            } catch {
                throw BadInput("--metrics-port \(address.port): \(error)")
            }
            metrics = m
        }
        defer { metrics?.finished() }
        let observer = CheckpointingObserver(
            reporter: reporter, writer: writer, every: config.checkpoint.everySteps,
            totalSteps: job.totalSteps, store: store, runID: runID, metrics: metrics,
            stop: stop)
        reporter.line(
            "coordinator listening on \(server.controlEndpoint) (broadcast \(server.broadcastEndpoint)), job \(jobID)")
        try launch(server.controlEndpoint, jobID, job, runDirectory)
        let observed: TrainingObserver =
            trial.map { TrialObserver(inner: observer, reporter: reporter, hooks: $0) } ?? observer
        let mode: any CoordinatorTrainer.Type
        switch config.training.mode {
        case .sync: mode = SyncTrainer.self
        case .async: mode = AsyncTrainer.self
        case .localSGD: mode = LocalSGDTrainer.self
        }
        let (outcome, final) = try Self.drive(
            mode, setup: setup, start: start, optimizer: optimizer, server: server, observer: observed, stop: stop)
        writer.waitUntilWritten()
        // Ctrl-C: no waiting for queued evaluations (a sweep trial stopped at its rung keeps them).
        if outcome == .stopped && trial == nil { reporter.discardQueuedEvaluations() }
        observer.recordResults()
        var failed = observer.failure
        if case .failed(let reason) = outcome { failed = failed ?? reason }
        if let failure = failed {
            // A broken state is not saved: the newest checkpoint stays the last good one.
            let kept = observer.lastGoodCheckpoint ?? CheckpointFormat.files(in: checkpoints).first
            try? store.setTag(runID: runID, key: "failure", value: failure)
            reporter.line(
                "run \(runID) failed: \(failure)"
                    + (kept.map { "; last good checkpoint \($0.lastPathComponent)" } ?? ""))
            reporter.flush()
            return TrainingSummary(
                run_id: runID, status: RunStatus.failed.rawValue, metrics: reporter.lastMetrics,
                final_params_sha256: nil, failure: failure)
        }
        // The last state is always checkpointed: the end of the run, or where Ctrl-C stopped it.
        if final.completedSteps > start.completedSteps || outcome == .finished {
            writer.saveNow(final)
        }
        observer.recordResults()

        let bytes = ParameterLayout.littleEndianBytes(final.parameters)
        digest = Self.sha256Hex(bytes)
        let artifact = runDirectory.appendingPathComponent("final.safetensors")
        let file = SafetensorsWriter.encode(
            parameters: final.parameters, layout: model.layout,
            metadata: [
                "format": "trainyard-parameters/1", "run_id": runID, "dataset_digest": version.digest,
                "step": String(final.completedSteps),
                "model": String(decoding: try Self.sortedEncoder.encode(job.model), as: UTF8.self),
            ])
        try AtomicFile.write(file, to: artifact)
        try store.logArtifact(
            runID: runID, kind: "parameters", path: "artifacts/\(runID)/final.safetensors",
            digest: Self.sha256Hex(file), size: Int64(file.count))
        var registered: String?
        // A sweep trial stopped at its rung is a finished model too: the sweep may register it.
        if outcome == .finished || (trial != nil && outcome == .stopped) {
            reporter.flush()
            let lineage = ModelLineage(
                runID: runID, datasetDigest: version.digest, datasetName: record.name,
                datasetVersion: record.versionLabel, configDigest: identity.configDigest,
                codeRevision: environment.codeRevision ?? "", createdAt: Date(),
                step: final.completedSteps)
            let manifest = ModelManifest(
                architecture: job.model, version: version, trainingRows: job.split.train,
                transforms: job.transforms, metrics: reporter.lastMetrics, lineage: lineage)
            let package = try PackagedModel(manifest: manifest, parameters: final.parameters)
            registered = try Self.publish(
                package, runDirectory: runDirectory, runID: runID, register: config.register,
                store: store)
            if let registered {
                reporter.line(
                    "registered model \(registered)"
                        + (config.register?.alias.map { " as \(config.register!.model)@\($0)" } ?? ""))
            }
        }
        status = outcome == .finished ? .finished : .killed
        reporter.flush()
        return TrainingSummary(
            run_id: runID, status: status.rawValue, metrics: reporter.lastMetrics, final_params_sha256: digest,
            model_version: registered)
    }

    /// Runs the coordinator loop around a trainer of `mode` (the job's), started from `start`;
    /// returns how it ended and the final training state.
    package static func drive<Trainer: CoordinatorTrainer>(
        _ mode: Trainer.Type, setup: TrainerSetup, start: TrainingSnapshot, optimizer: Optimizer,
        server: CoordinatorServer, observer: TrainingObserver, stop: StopFlag
    ) throws -> (CoordinatorOutcome, TrainingSnapshot) {
        var trainer = Trainer(
            setup: setup, parameters: start.parameters, optimizer: optimizer, completedSteps: start.completedSteps)
        let outcome = try server.run(&trainer, observer: observer, stop: stop)
        return (outcome, trainer.snapshot)
    }

}
