import Crypto
import Datasets
import Foundation
import GradientCore
import Logging
import ModelPackage
import TrackingStore
import TrainingProtocol
import TrainingRuntime
import ZeroMQ

/// The result printed by `train --json` (and `coordinator --json`), as DESIGN.md specifies.
struct TrainingSummary: Encodable {
    let run_id: String
    let status: String
    let metrics: [String: Double]
    let final_params_sha256: String?
}

/// Runs one training job as the coordinator: resolves the data, records the run, drives the
/// coordinator loop and records the outcome. Used by `train` (with local workers) and
/// `coordinator` (workers elsewhere).
struct TrainingSession {
    let configPath: String
    let overrides: [String]
    let controlBind: String
    let broadcastBind: String?

    /// Runs the job; `launch` starts workers once the coordinator is bound (or does nothing).
    func run(launch: (_ endpoint: String, _ jobID: JobID, _ job: PreparedJob, _ runDirectory: URL) throws -> Void,
             afterRun: () -> Void) throws -> TrainingSummary {
        MemoryTuning.keepLargeBuffersOnHeap()
        let (config, _) = try JobConfigLoader.load(path: configPath, overrides: overrides)
        let data = try DataContext.open()
        let (record, version) = try resolveDataset(config.data.dataset, data: data)
        var validationVersion: DatasetVersion?
        if case .dataset(let reference) = config.data.validation {
            validationVersion = try data.resolve(reference).1
        }
        let job: PreparedJob
        do {
            job = try PreparedJob.prepare(config: config, version: version, validationVersion: validationVersion)
        } catch let error as JobPreparationError {
            throw BadInput("\(configPath): \(error.description)")
        } catch let error as DatasetError {
            throw error.cliError
        }
        let model = try job.model.makeModel()
        let store = data.catalog
        let configJSON = try Self.canonicalJSON(config)
        let runID = try store.startRun(
            experiment: config.experiment, name: config.name, configJSON: configJSON,
            codeRevision: BuildInfo.gitRevision, host: ProcessInfo.processInfo.hostName)
        try store.logParams(runID: runID, Self.flatten(configJSON))
        try store.linkDataset(runID: runID, digest: record.digest, role: "train")
        let runDirectory = data.home.artifacts.appendingPathComponent(runID, isDirectory: true)
        let reporter = ProgressReporter(job: job, model: model, store: store, runID: runID)
        reporter.line("run \(runID): \(config.model.kind.rawValue) on \(record.versionLabel), \(job.split.train.count) training rows, \(job.totalSteps) steps")

        var status = RunStatus.failed
        var digest: String?
        defer {
            reporter.finish()
            afterRun()
            Self.recordLogs(in: runDirectory, runID: runID, store: store)
            try? store.finishRun(runID, status: status, finalParamsSHA256: digest)
        }
        let trap = SignalTrap()
        let context = try Context()
        let jobID = JobID.random()
        var logger = Logger(label: "trainyard.coordinator")
        logger.logLevel = .warning
        let server = try CoordinatorServer(context: context, jobID: jobID, parameterCount: model.layout.count,
                                           controlBind: controlBind, broadcastBind: broadcastBind, logger: logger)
        server.dataset = try? DatasetArchive(directory: data.store.directory(digest: version.digest))
        guard let port = CoordinatorServer.port(of: server.broadcastEndpoint) else {
            throw WorkFailed("could not read the broadcast port from \(server.broadcastEndpoint)")
        }
        let specJSON = String(decoding: try Self.sortedEncoder.encode(try job.workerSpec(broadcastPort: port)), as: UTF8.self)
        let configDigest = ContentDigest(bytes: Array(SHA256.hash(data: Data(specJSON.utf8))))!
        let setup = SyncTrainer.Setup(
            jobID: jobID, model: model, schedule: job.batches, epochs: config.training.epochs,
            optimizer: job.optimizer, learningRate: job.learningRate,
            heartbeatInterval: config.cluster.heartbeatInterval, heartbeatTimeout: config.cluster.heartbeatTimeout,
            minWorkers: config.cluster.minWorkers, datasetDigest: ContentDigest(hex: version.digest)!,
            jobConfiguration: specJSON, configDigest: configDigest)
        var trainer = SyncTrainer(setup: setup, parameters: job.model.initialParameters(seed: job.seed),
                                  optimizer: try Optimizer(config: job.optimizer, parameterCount: model.layout.count))
        reporter.line("coordinator listening on \(server.controlEndpoint) (broadcast \(server.broadcastEndpoint)), job \(jobID)")
        try launch(server.controlEndpoint, jobID, job, runDirectory)
        let outcome = try server.run(&trainer, observer: reporter, stop: trap.stop)

        let bytes = ParameterLayout.littleEndianBytes(trainer.parameters)
        digest = Self.sha256Hex(bytes)
        let artifact = runDirectory.appendingPathComponent("final.safetensors")
        let file = SafetensorsWriter.encode(parameters: trainer.parameters, layout: model.layout, metadata: [
            "format": "trainyard-parameters/1", "run_id": runID, "dataset_digest": version.digest,
            "step": String(trainer.completedSteps), "model": String(decoding: try Self.sortedEncoder.encode(job.model), as: UTF8.self),
        ])
        try SafetensorsWriter.write(file, to: artifact)
        try store.logArtifact(runID: runID, kind: "parameters", path: "artifacts/\(runID)/final.safetensors",
                              digest: Self.sha256Hex(file), size: Int64(file.count))
        status = outcome == .finished ? .finished : .killed
        reporter.flush()
        return TrainingSummary(run_id: runID, status: status.rawValue, metrics: reporter.lastMetrics, final_params_sha256: digest)
    }

    /// Records the worker logs of a run as artifacts (kind `log`), so they are kept with the run.
    static func recordLogs(in directory: URL, runID: String, store: TrackingStore) {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in files.sorted() where name.hasSuffix(".log") {
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else { continue }
            let digest = Self.sha256Hex(data)
            try? store.logArtifact(runID: runID, kind: "log", path: "artifacts/\(runID)/\(name)", digest: digest,
                                   size: Int64(data.count))
        }
    }

    /// A catalog reference, or a file path that is imported first (named after the file).
    private func resolveDataset(_ reference: String, data: DataContext) throws -> (DatasetVersionRecord, DatasetVersion) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: reference, isDirectory: &isDirectory), !isDirectory.boolValue {
            let url = URL(fileURLWithPath: reference)
            let name = url.deletingPathExtension().lastPathComponent.filter { $0.isLetter || $0.isNumber || "._-".contains($0) }
            do {
                let outcome = try data.store.importFile(at: url)
                let record = try data.register(name: name.isEmpty ? "dataset" : name, outcome: outcome, source: url.path)
                return (record, try data.store.open(digest: record.digest))
            } catch let error as DatasetError {
                throw error.cliError
            }
        }
        return try data.resolve(reference)
    }

    /// SHA-256 as 64 lowercase hex digits.
    static func sha256Hex<D: DataProtocol>(_ data: D) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    static let sortedEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func canonicalJSON(_ config: JobConfig) throws -> String {
        String(decoding: try sortedEncoder.encode(config), as: UTF8.self)
    }

    /// Dotted keys and their values as strings (the run's params).
    static func flatten(_ json: String) -> [String: String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) else { return [:] }
        var out: [String: String] = [:]
        func walk(_ value: Any, _ prefix: String) {
            if let dict = value as? [String: Any] {
                for (k, v) in dict { walk(v, prefix.isEmpty ? k : "\(prefix).\(k)") }
            } else if let list = value as? [Any] {
                out[prefix] = "[" + list.map { "\($0)" }.joined(separator: ",") + "]"
            } else if value is NSNull {
                return
            } else {
                out[prefix] = "\(value)"
            }
        }
        walk(object, "")
        return out
    }
}
