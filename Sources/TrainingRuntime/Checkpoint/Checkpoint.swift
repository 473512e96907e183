import Foundation
import GradientCore
import ModelPackage

/// Everything the coordinator needs to continue a run exactly where it was: the parameters,
/// the optimizer state and the number of completed steps.
///
/// The data cursor and every random choice follow from `completedSteps` and the seed: step `s`
/// reads batch `s mod stepsPerEpoch` of epoch `s / stepsPerEpoch`, whose example order is the
/// permutation fixed by (seed, epoch). So these three values are the whole training state.
package struct TrainingSnapshot: Sendable {
    package var parameters: [Float]
    package var optimizer: OptimizerState
    package var completedSteps: Int

    package init(parameters: [Float], optimizer: OptimizerState, completedSteps: Int) {
        self.parameters = parameters
        self.optimizer = optimizer
        self.completedSteps = completedSteps
    }
}

/// What a checkpoint must agree with to continue a run: the model architecture, the optimizer,
/// the training-relevant config and the dataset.
package struct CheckpointIdentity: Sendable, Equatable {
    package var model: ModelSpec
    package var optimizer: GradientCore.OptimizerConfig
    /// SHA-256 hex of the config's training-relevant sections (see docs/FORMATS.md).
    package var configDigest: String
    package var datasetDigest: String
    package var seed: UInt64

    package init(
        model: ModelSpec, optimizer: GradientCore.OptimizerConfig, configDigest: String, datasetDigest: String,
        seed: UInt64
    ) {
        self.model = model
        self.optimizer = optimizer
        self.configDigest = configDigest
        self.datasetDigest = datasetDigest
        self.seed = seed
    }
}

/// A checkpoint read back from disk.
package struct Checkpoint: Sendable {
    package let url: URL
    package let snapshot: TrainingSnapshot
    package let identity: CheckpointIdentity
    package let epoch: Int
    /// The whole `__metadata__` (format, step, epoch, data cursor, RNG state, digests, revision…).
    package let metadata: [String: String]

    /// Why this checkpoint cannot continue a run with `expected`, or nil if it can.
    /// Architecture, optimizer and dataset mismatches are always refused; a config mismatch
    /// only without `force` (the parameters and optimizer state still fit).
    package func mismatch(with expected: CheckpointIdentity, force: Bool) -> String? {
        if identity.model != expected.model {
            return
                "\(url.lastPathComponent) is a \(CheckpointFormat.describe(identity.model)), the run trains a \(CheckpointFormat.describe(expected.model))"
        }
        if identity.optimizer.kind != expected.optimizer.kind {
            return
                "\(url.lastPathComponent) holds \(identity.optimizer.kind.rawValue) optimizer state, the run uses \(expected.optimizer.kind.rawValue)"
        }
        if identity.datasetDigest != expected.datasetDigest {
            return
                "\(url.lastPathComponent) was trained on dataset \(identity.datasetDigest.prefix(12)), the run uses \(expected.datasetDigest.prefix(12))"
        }
        if !force
            && (identity.configDigest != expected.configDigest || identity.seed != expected.seed
                || identity.optimizer != expected.optimizer)
        {
            return
                "\(url.lastPathComponent) was written with config \(identity.configDigest.prefix(12)), the run's config is \(expected.configDigest.prefix(12)) (pass --force to continue anyway; the result will differ from an uninterrupted run)"
        }
        return nil
    }
}

/// The checkpoint file: safetensors with the model's tensors under their layout names, the
/// optimizer buffers as 1-D tensors named `optimizer.<buffer>`, and the training state in
/// `__metadata__`. Documented in docs/FORMATS.md.
package enum CheckpointFormat {
    package static let format = "trainyard-checkpoint/1"
    static let optimizerPrefix = "optimizer."

    /// `step-00000042.safetensors`: names sort by step.
    package static func fileName(step: Int) -> String {
        "step-" + String(repeating: "0", count: max(0, 8 - String(step).count)) + String(step) + ".safetensors"
    }

    /// The step a checkpoint file name stands for.
    package static func step(ofFileName name: String) -> Int? {
        guard name.hasPrefix("step-"), name.hasSuffix(".safetensors") else { return nil }
        return Int(name.dropFirst(5).dropLast(12))
    }

    static func describe(_ spec: ModelSpec) -> String {
        let shape =
            spec.kind == .mlp ? spec.widths.map(String.init).joined(separator: "-") : "\(spec.inputs)->\(spec.outputs)"
        return "\(spec.kind.rawValue) \(shape)"
    }

    /// The tensors and metadata of a checkpoint.
    package static func contents(
        _ snapshot: TrainingSnapshot, identity: CheckpointIdentity, epoch: Int, batch: Int,
        stepsPerEpoch: Int, extra: [String: String]
    ) throws -> ([NamedTensor], [String: String]) {
        let layout = identity.model.layout()
        var tensors = NamedTensor.parameters(snapshot.parameters, layout: layout)
        for (name, values) in snapshot.optimizer.buffers {
            tensors.append(NamedTensor(name: optimizerPrefix + name, shape: [values.count], values: values))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var metadata = extra
        metadata["format"] = format
        metadata["step"] = String(snapshot.completedSteps)
        metadata["epoch"] = String(epoch)
        metadata["data_cursor"] = "{\"batch\":\(batch),\"epoch\":\(epoch),\"steps_per_epoch\":\(stepsPerEpoch)}"
        metadata["rng_state"] = "{\"kind\":\"splitmix64\",\"seed\":\(identity.seed),\"epoch\":\(epoch)}"
        metadata["config_digest"] = identity.configDigest
        metadata["dataset_digest"] = identity.datasetDigest
        metadata["model"] = String(decoding: try encoder.encode(identity.model), as: UTF8.self)
        metadata["optimizer"] = String(decoding: try encoder.encode(identity.optimizer), as: UTF8.self)
        metadata["optimizer_step"] = String(snapshot.optimizer.step)
        return (tensors, metadata)
    }

    /// Reads and fully validates a checkpoint: the safetensors structure and checksum, the
    /// format version, the metadata fields, and every tensor against the stored architecture.
    package static func read(_ url: URL) throws -> Checkpoint {
        let file = try SafetensorsFile.read(url)
        func fail(_ reason: String) -> SafetensorsError { SafetensorsError(source: url.path, reason: reason) }
        guard file.checksumVerified else {
            throw fail("no \(SafetensorsWriter.checksumKey) in the metadata; not a complete Trainyard checkpoint")
        }
        let m = file.metadata
        guard m["format"] == format else { throw fail("format is \(m["format"] ?? "(none)"), expected \(format)") }
        func field(_ key: String) throws -> String {
            guard let value = m[key] else { throw fail("metadata has no '\(key)'") }
            return value
        }
        func integer(_ key: String) throws -> Int {
            guard let value = Int(try field(key)), value >= 0 else { throw fail("metadata '\(key)' is not a count") }
            return value
        }
        let decoder = JSONDecoder()
        guard let model = try? decoder.decode(ModelSpec.self, from: Data(try field("model").utf8)) else {
            throw fail("metadata 'model' is not a model description")
        }
        guard
            let optimizer = try? decoder.decode(
                GradientCore.OptimizerConfig.self, from: Data(try field("optimizer").utf8))
        else {
            throw fail("metadata 'optimizer' is not an optimizer description")
        }
        struct RNG: Decodable { let seed: UInt64 }
        guard let rng = try? decoder.decode(RNG.self, from: Data(try field("rng_state").utf8)) else {
            throw fail("metadata 'rng_state' is malformed")
        }
        let parameters: [Float]
        do {
            parameters = try file.parameters(layout: model.layout())
        } catch let error as SafetensorsError {
            throw fail(error.reason)
        }
        var buffers: [String: [Float]] = [:]
        for entry in file.entries where entry.name.hasPrefix(optimizerPrefix) {
            buffers[String(entry.name.dropFirst(optimizerPrefix.count))] = try file.floats(entry.name)
        }
        let state = OptimizerState(step: try integer("optimizer_step"), buffers: buffers)
        do {
            _ = try Optimizer(config: optimizer, parameterCount: parameters.count, state: state)
        } catch {
            throw fail("optimizer state does not fit: \(error)")
        }
        let identity = CheckpointIdentity(
            model: model, optimizer: optimizer, configDigest: try field("config_digest"),
            datasetDigest: try field("dataset_digest"), seed: rng.seed)
        return Checkpoint(
            url: url,
            snapshot: TrainingSnapshot(
                parameters: parameters, optimizer: state,
                completedSteps: try integer("step")),
            identity: identity, epoch: try integer("epoch"), metadata: m)
    }

    /// The checkpoint files in `directory`, newest step first.
    package static func files(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.compactMap { name in step(ofFileName: name).map { (name, $0) } }
            .sorted { $0.1 > $1.1 }
            .map { directory.appendingPathComponent($0.0) }
    }

    /// The newest checkpoint in `directory` that reads back whole, and a warning for each newer
    /// one that does not (truncated, corrupt, or of another format), naming the file.
    package static func newestValid(in directory: URL) -> (checkpoint: Checkpoint?, warnings: [String]) {
        var warnings: [String] = []
        for url in files(in: directory) {
            do {
                return (try read(url), warnings)
            } catch {
                warnings.append("skipping checkpoint \(error)")
            }
        }
        return (nil, warnings)
    }
}
