import Foundation
import GradientCore
import ModelPackage
import Testing
import TrainingProtocol

@testable import TrainingRuntime

@Suite struct CheckpointTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)")
    let spec = ModelSpec(kind: .logistic, inputs: 4)

    func identity(_ spec: ModelSpec, config: String = "c0") -> CheckpointIdentity {
        CheckpointIdentity(
            model: spec, optimizer: GradientCore.OptimizerConfig(kind: .sgd, learningRate: 0.5, momentum: 0.9),
            configDigest: config, datasetDigest: String(repeating: "ab", count: 32), seed: 7)
    }

    func writer(_ identity: CheckpointIdentity, keep: Int = 3, fault: WriteFault? = nil) -> CheckpointWriter {
        CheckpointWriter(
            directory: directory, keep: keep, identity: identity,
            schedule: BatchSchedule(rows: 600, batchSize: 64, microShards: 8), extra: ["run_id": "r1"], fault: fault)
    }

    /// Stopping after `k` steps, checkpointing, and continuing from the file read back ends with
    /// the same bits as training straight through (momentum state included).
    @Test func resumingFromACheckpointIsBitwiseIdentical() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = separableData(rows: 600, features: 4, seed: 1)
        var straight = try SimulatedCluster(examples: data, spec: spec, epochs: 3, batch: 64, microShards: 8)
        straight.addWorker()
        straight.addWorker()
        try straight.run()
        #expect(straight.finished)

        for stopAt in [1, 13, 20] {
            var first = try SimulatedCluster(examples: data, spec: spec, epochs: 3, batch: 64, microShards: 8)
            let w = writer(identity(spec))
            first.onStep = { step, cluster in
                if step == stopAt { w.saveNow(cluster.trainer.snapshot); cluster.finished = true }
            }
            first.addWorker()
            try first.run()
            let checkpoint = try #require(CheckpointFormat.newestValid(in: directory).checkpoint)
            #expect(checkpoint.snapshot.completedSteps == stopAt)
            #expect(checkpoint.metadata["run_id"] == "r1")
            #expect(checkpoint.mismatch(with: identity(spec), force: false) == nil)

            var second = try SimulatedCluster(examples: data, spec: spec, epochs: 3, batch: 64, microShards: 8)
            let setup = second.trainer.setup
            second.trainer = SyncTrainer(
                setup: setup, parameters: checkpoint.snapshot.parameters,
                optimizer: try Optimizer(
                    config: setup.optimizer, parameterCount: checkpoint.snapshot.parameters.count,
                    state: checkpoint.snapshot.optimizer),
                completedSteps: checkpoint.snapshot.completedSteps)
            for _ in 0..<3 { second.addWorker() }  // a different worker count on resume
            try second.run()
            #expect(second.finished)
            #expect(
                second.trainer.parameters.map(\.bitPattern) == straight.trainer.parameters.map(\.bitPattern),
                "stopped at \(stopAt)")
            try FileManager.default.removeItem(at: directory)
        }
    }

    @Test func aTruncatedNewestCheckpointFallsBackToThePreviousOneWithAWarning() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let w = writer(identity(spec))
        let optimizer = try Optimizer(config: identity(spec).optimizer, parameterCount: 5)
        for step in [10, 20] {
            let result = w.saveNow(
                TrainingSnapshot(
                    parameters: (0..<5).map { Float($0 + step) }, optimizer: optimizer.state,
                    completedSteps: step))
            guard case .written = result else { Issue.record("write failed: \(result)"); return }
        }
        let newest = directory.appendingPathComponent(CheckpointFormat.fileName(step: 20))
        let bytes = try Data(contentsOf: newest)
        try bytes.prefix(bytes.count - 7).write(to: newest)
        let (checkpoint, warnings) = CheckpointFormat.newestValid(in: directory)
        #expect(checkpoint?.snapshot.completedSteps == 10)
        #expect(checkpoint?.snapshot.parameters == [10, 11, 12, 13, 14])
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("step-00000020.safetensors") == true)
    }

    @Test func aCheckpointOfAnotherArchitectureOrConfigIsRefusedNamingTheMismatch() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let mlp = ModelSpec(kind: .mlp, inputs: 4, outputs: 2, hidden: [3], activation: .relu, head: .softmax)
        let w = writer(identity(mlp))
        let optimizer = try Optimizer(config: identity(mlp).optimizer, parameterCount: mlp.layout().count)
        w.saveNow(
            TrainingSnapshot(parameters: mlp.initialParameters(seed: 1), optimizer: optimizer.state, completedSteps: 5))
        let checkpoint = try #require(CheckpointFormat.newestValid(in: directory).checkpoint)
        let why = try #require(checkpoint.mismatch(with: identity(spec), force: true))
        #expect(why.contains("mlp 4-3-2") && why.contains("logistic"))
        let config = try #require(checkpoint.mismatch(with: identity(mlp, config: "c1"), force: false))
        #expect(config.contains("--force"))
        #expect(checkpoint.mismatch(with: identity(mlp, config: "c1"), force: true) == nil)
    }

    @Test func onlyTheNewestKAreKeptAndAFailedWriteKeepsThePrevious() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let optimizer = try Optimizer(config: identity(spec).optimizer, parameterCount: 5)
        let w = writer(identity(spec), keep: 2)
        for step in [1, 2, 3, 4] {
            w.save(
                TrainingSnapshot(
                    parameters: [Float](repeating: Float(step), count: 5), optimizer: optimizer.state,
                    completedSteps: step))
        }
        w.waitUntilWritten()
        #expect(w.takeResults().count == 4)
        #expect(
            CheckpointFormat.files(in: directory).map(\.lastPathComponent) == [
                "step-00000004.safetensors", "step-00000003.safetensors",
            ])

        let failing = writer(identity(spec), keep: 2, fault: WriteFault(afterBytes: 64))
        let result = failing.saveNow(
            TrainingSnapshot(parameters: [9, 9, 9, 9, 9], optimizer: optimizer.state, completedSteps: 5))
        guard case .failed(_, 5, let error) = result else { Issue.record("expected a failure, got \(result)"); return }
        #expect(error.contains("No space left"))
        let (checkpoint, warnings) = CheckpointFormat.newestValid(in: directory)
        #expect(warnings.isEmpty)
        #expect(checkpoint?.snapshot.completedSteps == 4)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).count == 2)
    }
}
