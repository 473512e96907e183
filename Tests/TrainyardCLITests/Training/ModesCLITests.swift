import Foundation
import Testing
import TrainyardTestSupport

/// `training.mode: async` and `local_sgd` with real worker processes reach the stated accuracy on
/// generated data (the sync run of the same job reaches it too; see TrainingCLITests).
@Suite(.serialized) struct ModesCLITests {
    static let job = """
        data: {dataset: binary, label: label, validation: 0.25, transforms: [standardize]}
        model: {kind: logistic}
        optimizer: {kind: sgd, lr: 0.2, momentum: 0.9}
        training: {epochs: 5, batch_size: 128, seed: 5, mode: MODE}
        """

    /// Trains the job in `mode` and returns the `train --json` object and the `runs show --json` object.
    func train(mode: String, workers: Int, extra: [String] = []) throws -> (summary: [String: Any], run: [String: Any])
    {
        let fixture = try TrainingFixture("mode-\(mode)")
        defer { fixture.remove() }
        try fixture.generate("binary", rows: 1500, features: 8, separation: 0.8)
        let job = try fixture.job(Self.job.replacingOccurrences(of: "MODE", with: mode))
        let summary = try fixture.train(job, workers: workers, extra: extra)
        #expect(summary["status"] as? String == "FINISHED")
        let runID = try #require(summary["run_id"] as? String)
        let shown = try runTrainyard(["runs", "show", runID, "--json"], home: fixture.home)
        return (
            summary, try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        )
    }

    @Test func asyncReachesTheStatedAccuracy() throws {
        let (summary, _) = try train(mode: "async", workers: 3, extra: ["--set", "training.max_staleness=2"])
        let metrics = try #require(summary["metrics"] as? [String: Double])
        #expect(metrics["val_accuracy"] ?? 0 >= 0.85, "\(metrics)")
    }

    @Test func localSGDReachesTheStatedAccuracyAndCheckpointsBetweenRounds() throws {
        let (summary, run) = try train(
            mode: "local_sgd", workers: 2,
            extra: ["--set", "training.local_steps=4", "--set", "checkpoint.every_steps=5"])
        let metrics = try #require(summary["metrics"] as? [String: Double])
        #expect(metrics["val_accuracy"] ?? 0 >= 0.85, "\(metrics)")
        // Rounds end at steps 4, 8, 9, 13, …: the round ending at 8 crosses step 5 and is checkpointed.
        let artifacts = try #require(run["artifacts"] as? [[String: Any]])
        let checkpoints = artifacts.filter { $0["kind"] as? String == "checkpoint" }.compactMap {
            $0["path"] as? String
        }
        #expect(checkpoints.contains { $0.hasSuffix("step-00000008.safetensors") }, "\(checkpoints)")
    }
}
