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

/// The run's model package: written beside the run, recorded as an artifact, registered.
extension TrainingSession {
    /// Writes the run's model package to `RUN/model/`, records it as an artifact (kind `model`)
    /// and, when the config says `register:`, registers it as the next version of the model and
    /// points the alias at it. Returns `NAME/VERSION` when registered.
    static func publish(
        _ package: PackagedModel, runDirectory: URL, runID: String, register: JobConfig.Register?,
        store: TrackingStore
    ) throws -> String? {
        let directory = runDirectory.appendingPathComponent("model", isDirectory: true)
        try package.write(to: directory)
        let path = "artifacts/\(runID)/model"
        let digest = try packageDigest(directory)
        try store.logArtifact(runID: runID, kind: "model", path: path, digest: digest, size: packageSize(directory))
        guard let register else { return nil }
        let version = try store.registerModelVersion(
            name: register.model, sourceRunID: runID, packagePath: path,
            packageDigest: digest)
        if let alias = register.alias {
            try store.setAlias(model: register.model, alias: alias, version: version, actor: "run \(runID)")
        }
        return "\(register.model)/\(version)"
    }

    /// SHA-256 over a package's files, manifest then weights: the digest the registry keeps.
    package static func packageDigest(_ directory: URL) throws -> String {
        var hasher = SHA256()
        for url in PackagedModel.files(in: directory) {
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw WorkFailed("cannot read \(url.path)")
            }
            hasher.update(data: data)
        }
        return HexText.encode(hasher.finalize())
    }

    package static func packageSize(_ directory: URL) -> Int64 {
        PackagedModel.files(in: directory).reduce(Int64(0)) { total, url in
            total + ((try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int64) ?? 0)
        }
    }
}
