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
            #expect(
                other["final_params_sha256"] as? String == first["final_params_sha256"] as? String, "\(workers) workers"
            )
        }
    }

    /// Workers on the coordinator's host exchange parameters and gradients through shared memory;
    /// the model is bitwise the one the sockets give, and no segment is left behind.
    @Test func sharedMemoryAndSocketsTrainTheSameModel() throws {
        let fixture = try TrainingFixture("train-shm")
        defer { fixture.remove() }
        try fixture.generate("three", rows: 1200, features: 6, classes: 3, seed: 3, separation: 1.2)
        let job = try fixture.job(Self.mlp)
        let shm = try TemporaryDirectory("shm")
        defer { shm.remove() }
        func workerLogs(_ result: [String: Any]) throws -> String {
            let run = try #require(result["run_id"] as? String)
            let dir = fixture.home.file("artifacts/\(run.prefix(12))")
            let logs = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("worker-") }
                .sorted()
            return try logs.map { try String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8) }.joined()
        }
        let shared = try fixture.train(job, workers: 2, environment: ["TRAINYARD_SHARED_MEMORY": shm.path])
        let sockets = try fixture.train(job, workers: 2, environment: ["TRAINYARD_SHARED_MEMORY": "off"])
        #expect(shared["status"] as? String == "FINISHED" && sockets["status"] as? String == "FINISHED")
        #expect(shared["final_params_sha256"] as? String == sockets["final_params_sha256"] as? String)

        let sharedLog = try workerLogs(shared)
        let counts = sharedLog.matches(of: /\((\d+) through shared memory\), read (\d+) parameter versions/).map {
            (Int($0.output.1) ?? 0, Int($0.output.2) ?? 0)
        }
        #expect(counts.count == 2, "\(sharedLog)")
        // (A worker that joins late may do little; together they use shared memory throughout.)
        #expect(counts.map(\.0).reduce(0, +) > 0 && counts.map(\.1).reduce(0, +) > 0, "\(sharedLog)")
        #expect(try workerLogs(sockets).matches(of: /\(0 through shared memory\), read 0 parameter/).count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: shm.path).isEmpty, "segments left in \(shm.path)")
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
        let trainSeries = try #require(
            try JSONSerialization.jsonObject(with: Data(train.stdout.utf8)) as? [String: Any])
        let steps = try #require(trainSeries["points"] as? [[String: Any]]).count
        #expect(steps > 20)
        #expect(points.compactMap { $0["step"] as? Int } == Array(1...steps))
    }

    @Test func badJobFilesAndMismatchedModelsAreBadInput() throws {
        let fixture = try TrainingFixture("train-bad")
        defer { fixture.remove() }
        try fixture.generate("binary", rows: 200, features: 3)
        let regression = try fixture.job(
            Self.logistic.replacingOccurrences(of: "kind: logistic", with: "kind: linear"), name: "lin.yaml")
        let r1 = try runTrainyard(["train", regression, "--workers", "1"], home: fixture.home)
        #expect(r1.status == 2)
        #expect(r1.stderr.contains("linear") && r1.stderr.contains("classification"))
        let missing = try fixture.job(
            Self.logistic.replacingOccurrences(of: "dataset: binary", with: "dataset: nosuch"), name: "m.yaml")
        let r2 = try runTrainyard(["train", missing, "--workers", "1"], home: fixture.home)
        #expect(r2.status == 2)
        #expect(r2.stderr.contains("nosuch"))
    }
}
