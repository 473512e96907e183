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

/// Opening a session's run: a new run of a job (its dataset resolved or imported) or a run to resume.
extension TrainingSession {
    /// The resolved job: its config, dataset and run (new or reopened), and a name for errors.
    struct OpenedJob {
        let config: JobConfig
        let record: DatasetVersionRecord
        let version: DatasetVersion
        let runID: String
        let origin: String
    }

    func open(data: DataContext) throws -> OpenedJob {
        let store = data.catalog
        switch source {
        case .config(let config, let origin):
            return try startRun(config, origin: origin, data: data)
        case .document(let document, let origin):
            do {
                return try startRun(try JobConfig(from: document), origin: origin, data: data)
            } catch let error as ConfigError {
                throw BadInput("\(origin): \(error)")
            }
        case .resume(let reference, let force):
            let runID = try data.catalogCall { try store.resolveRunID(reference) }
            let run = try data.catalogCall { try store.run(runID) }
            if run.status == .finished {
                throw BadInput("run \(runID) has already finished; there is nothing to resume")
            }
            if run.status == .running, !force, let holder = run.tags["coordinator"], Self.isAlive(holder) {
                throw BadInput(
                    "run \(runID) is still running (coordinator \(holder)); stop it first, or pass --force if it is not"
                )
            }
            let origin = "run \(runID) config"
            let config: JobConfig
            do {
                config = try JobConfig(from: try ConfigValue(jsonText: run.configJSON, source: origin))
            } catch {
                throw BadInput("\(origin): \(error)")
            }
            guard let link = run.datasets.first(where: { $0.role == "train" }) else {
                throw BadInput("run \(runID) has no training dataset recorded")
            }
            let (record, version) = try data.resolve(link.digest)
            return OpenedJob(config: config, record: record, version: version, runID: runID, origin: origin)
        }
    }

    /// Records a new run of `config` (a trial of the sweep in ``trial``, if any).
    private func startRun(_ config: JobConfig, origin: String, data: DataContext) throws -> OpenedJob {
        let store = data.catalog
        let (record, version) = try resolveDataset(config.data.dataset, data: data)
        let configJSON = try Self.canonicalJSON(config)
        let runID = try store.startRun(
            experiment: config.experiment, name: config.name, configJSON: configJSON,
            codeRevision: environment.codeRevision, host: ProcessInfo.processInfo.hostName,
            parentRunID: trial?.parentRunID)
        try store.logParams(runID: runID, Self.flatten(configJSON))
        try store.linkDataset(runID: runID, digest: record.digest, role: "train")
        return OpenedJob(config: config, record: record, version: version, runID: runID, origin: origin)
    }

    /// A catalog reference, or a file path that is imported first (named after the file).
    private func resolveDataset(_ reference: String, data: DataContext) throws -> (DatasetVersionRecord, DatasetVersion)
    {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: reference, isDirectory: &isDirectory), !isDirectory.boolValue {
            let url = URL(fileURLWithPath: reference)
            let name = url.deletingPathExtension().lastPathComponent.filter {
                $0.isLetter || $0.isNumber || "._-".contains($0)
            }
            do {
                let outcome = try data.store.importFile(at: url)
                let record = try data.register(
                    name: name.isEmpty ? "dataset" : name, outcome: outcome, source: url.path)
                return (record, try data.store.open(digest: record.digest))
            } catch let error as DatasetError {
                throw error.cliError
            }
        }
        return try data.resolve(reference)
    }
}
