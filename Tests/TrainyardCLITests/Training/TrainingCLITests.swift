import Foundation
import Testing
import TrainingProtocol
import TrainyardTestSupport
import ZeroMQ

/// `trainyard train`, `coordinator` and `worker` as real processes talking ZeroMQ on loopback.
@Suite(.serialized) struct TrainingCLITests {
    static let logistic = """
        experiment: tests
        data: {dataset: binary, label: label, validation: 0.25, transforms: [standardize]}
        model: {kind: logistic}
        optimizer: {kind: sgd, lr: 0.2, momentum: 0.9}
        training: {epochs: 3, batch_size: 128, seed: 5}
        """

    static let mlp = """
        experiment: tests
        data: {dataset: three, label: label, validation: 0.25, transforms: [standardize]}
        model: {kind: mlp, hidden: [32, 16], activation: tanh}
        optimizer: {kind: adam, lr: 0.01}
        schedule: {kind: cosine, warmup_steps: 5}
        training: {epochs: 4, batch_size: 64, seed: 9}
        """

    @Test func logisticGivesTheSameModelWithOneTwoAndThreeWorkers() throws {
        let fixture = try TrainingFixture("train-logistic")
        defer { fixture.remove() }
        try fixture.generate("binary", rows: 1500, features: 8, separation: 0.8)
        let job = try fixture.job(Self.logistic)
        var digests: Set<String> = []
        for workers in 1...3 {
            let result = try fixture.train(job, workers: workers)
            #expect(result["status"] as? String == "FINISHED")
            let metrics = try #require(result["metrics"] as? [String: Double])
            #expect(metrics["val_accuracy"] ?? 0 >= 0.85, "workers \(workers): \(metrics)")
            #expect(metrics["train_loss"] != nil && metrics["val_loss"] != nil)
            digests.insert(try #require(result["final_params_sha256"] as? String))
        }
        #expect(digests.count == 1, "final parameters differ across worker counts: \(digests)")
        // The run is recorded with its params, metrics and final parameters.
        let list = try runTrainyard(["runs", "list", "--json"], home: fixture.home)
        let runs = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(runs.count == 3)
    }

    @Test func mlpLearnsAndIsReproducibleForAnyWorkerCount() throws {
        let fixture = try TrainingFixture("train-mlp")
        defer { fixture.remove() }
        try fixture.generate("three", rows: 1200, features: 6, classes: 3, seed: 3, separation: 1.2)
        let job = try fixture.job(Self.mlp)
        let first = try fixture.train(job, workers: 2)
        let second = try fixture.train(job, workers: 2)
        let metrics = try #require(first["metrics"] as? [String: Double])
        #expect(metrics["val_accuracy"] ?? 0 >= 0.8, "\(metrics)")
        #expect(first["final_params_sha256"] as? String == second["final_params_sha256"] as? String)
        #expect(first["run_id"] as? String != second["run_id"] as? String)
        // And the same model with one or three workers.
        for workers in [1, 3] {
            let other = try fixture.train(job, workers: workers)
            #expect(other["final_params_sha256"] as? String == first["final_params_sha256"] as? String, "\(workers) workers")
        }
    }

    /// Evaluations every step queue up behind training (2 workers fill this machine's cores, so
    /// they run at idle priority): none may be lost or recorded out of order.
    @Test func everyPeriodicEvaluationIsRecordedInStepOrder() throws {
        let fixture = try TrainingFixture("train-evals")
        defer { fixture.remove() }
        try fixture.generate("three", rows: 1200, features: 6, classes: 3, seed: 3, separation: 1.2)
        let job = try fixture.job(Self.mlp)
        let result = try fixture.train(job, workers: 2, extra: ["--set", "training.eval_every_steps=1"])
        #expect(result["status"] as? String == "FINISHED")
        let runID = try #require(result["run_id"] as? String)
        let shown = try runTrainyard(["runs", "metrics", runID, "val_loss", "--json"], home: fixture.home)
        let series = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        let points = try #require(series["points"] as? [[String: Any]])
        let train = try runTrainyard(["runs", "metrics", runID, "train_loss", "--json"], home: fixture.home)
        let trainSeries = try #require(try JSONSerialization.jsonObject(with: Data(train.stdout.utf8)) as? [String: Any])
        let steps = try #require(trainSeries["points"] as? [[String: Any]]).count
        #expect(steps > 20)
        #expect(points.compactMap { $0["step"] as? Int } == Array(1...steps))
    }

    @Test func badJobFilesAndMismatchedModelsAreBadInput() throws {
        let fixture = try TrainingFixture("train-bad")
        defer { fixture.remove() }
        try fixture.generate("binary", rows: 200, features: 3)
        let regression = try fixture.job(Self.logistic.replacingOccurrences(of: "kind: logistic", with: "kind: linear"), name: "lin.yaml")
        let r1 = try runTrainyard(["train", regression, "--workers", "1"], home: fixture.home)
        #expect(r1.status == 2)
        #expect(r1.stderr.contains("linear") && r1.stderr.contains("classification"))
        let missing = try fixture.job(Self.logistic.replacingOccurrences(of: "dataset: binary", with: "dataset: nosuch"), name: "m.yaml")
        let r2 = try runTrainyard(["train", missing, "--workers", "1"], home: fixture.home)
        #expect(r2.status == 2)
        #expect(r2.stderr.contains("nosuch"))
    }
}
