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

/// What a session records about its run: the config, its digest and params, the worker logs.
extension TrainingSession {
    /// Whether `holder` ("HOST PID", as tagged on the run) names a live process on this host.
    package static func isAlive(_ holder: String) -> Bool {
        let parts = holder.split(separator: " ")
        guard parts.count == 2, String(parts[0]) == ProcessInfo.processInfo.hostName, let pid = Int32(parts[1]),
            pid != getpid()
        else { return false }
        guard kill(pid, 0) == 0 else { return false }
        let cmdline = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
        return cmdline.contains("trainyard")
    }

    /// SHA-256 of the config sections that decide the numbers a run produces (`data`, `model`,
    /// `optimizer`, `schedule`, `training`): cluster, checkpoint, register and naming settings
    /// may change on resume without changing the result.
    package static func trainingConfigDigest(_ config: JobConfig) throws -> String {
        struct Relevant: Encodable {
            let data: JobConfig.Data
            let model: JobConfig.Model
            let optimizer: OptimizerConfig
            let schedule: JobConfig.Schedule
            let training: JobConfig.Training
        }
        return sha256Hex(
            try sortedEncoder.encode(
                Relevant(
                    data: config.data, model: config.model, optimizer: config.optimizer,
                    schedule: config.schedule, training: config.training)))
    }

    /// Records the worker logs of a run as artifacts (kind `log`), so they are kept with the run.
    package static func recordLogs(in directory: URL, runID: String, store: TrackingStore) {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in files.sorted() where name.hasSuffix(".log") {
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else {
                continue
            }
            let digest = Self.sha256Hex(data)
            try? store.logArtifact(
                runID: runID, kind: "log", path: "artifacts/\(runID)/\(name)", digest: digest,
                size: Int64(data.count))
        }
    }

    /// SHA-256 as 64 lowercase hex digits.
    package static func sha256Hex<D: DataProtocol>(_ data: D) -> String {
        HexText.encode(SHA256.hash(data: data))
    }

    package static let sortedEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    package static func canonicalJSON(_ config: JobConfig) throws -> String {
        String(decoding: try sortedEncoder.encode(config), as: UTF8.self)
    }

    /// Dotted keys and their values as strings (the run's params).
    package static func flatten(_ json: String) -> [String: String] {
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
