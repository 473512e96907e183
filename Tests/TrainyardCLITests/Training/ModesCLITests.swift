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

    func train(mode: String, workers: Int, extra: [String] = []) throws -> [String: Double] {
        let fixture = try TrainingFixture("mode-\(mode)")
        defer { fixture.remove() }
        try fixture.generate("binary", rows: 1500, features: 8, separation: 0.8)
        let job = try fixture.job(Self.job.replacingOccurrences(of: "MODE", with: mode))
        let result = try fixture.train(job, workers: workers, extra: extra)
        #expect(result["status"] as? String == "FINISHED")
        return try #require(result["metrics"] as? [String: Double])
    }

    @Test func asyncReachesTheStatedAccuracy() throws {
        let metrics = try train(mode: "async", workers: 3, extra: ["--set", "training.max_staleness=2"])
        #expect(metrics["val_accuracy"] ?? 0 >= 0.85, "\(metrics)")
    }

    @Test func localSGDReachesTheStatedAccuracy() throws {
        let metrics = try train(mode: "local_sgd", workers: 2, extra: ["--set", "training.local_steps=4"])
        #expect(metrics["val_accuracy"] ?? 0 >= 0.85, "\(metrics)")
    }
}
