import Foundation
import Testing
import TrainyardTestSupport

/// `trainyard sweep` with real coordinators and worker processes on generated data: a grid over
/// learning rate × hidden size registers its best model, and an ASHA sweep killed part-way and
/// run again ends with the same leaderboard as an uninterrupted one.
@Suite(.serialized) struct SweepCLITests {
    static let job = """
        job:
          data: {dataset: blobs, label: label, validation: 0.25, transforms: [standardize]}
          model: {kind: mlp, hidden: [8]}
          optimizer: {kind: adam, lr: 0.01}
          schedule: {kind: cosine}
          training: {epochs: 3, batch_size: 64, seed: 3}
          checkpoint: {every_steps: 5}
          cluster: {worker_give_up_after: 5}
        """

    static let grid =
        job + """

            search:
              optimizer.lr: {choice: [0.003, 0.1]}
              model.hidden: {choice: [[4], [16]]}
            algorithm: {kind: grid}
            objective: {metric: val_loss, mode: min}
            parallel: 2
            register: {model: blobs-best, alias: staging}
            """

    static let asha =
        job + """

            search:
              optimizer.lr: {loguniform: [0.001, 0.3]}
              model.hidden: {choice: [[4], [16]]}
            algorithm: {kind: asha, min_resource: 1, max_resource: 9, reduction_factor: 3}
            objective: {metric: val_loss, mode: min}
            trials: 6
            parallel: 2
            seed: 1
            """

    func fixture(_ label: String) throws -> TrainingFixture {
        let fixture = try TrainingFixture(label)
        try fixture.generate("blobs", rows: 2000, features: 8, classes: 3, separation: 1.0)
        return fixture
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text)")
    }

    func sweep(_ fixture: TrainingFixture, _ file: String) throws -> [String: Any] {
        let result = try runTrainyard(["sweep", file, "--workers", "2", "--json"], home: fixture.home, timeout: 120)
        try #require(result.status == 0, "sweep failed (\(result.status)): \(result.stderr)")
        return try json(result.stdout)
    }

    func status(_ fixture: TrainingFixture, _ sweepID: String) throws -> [String: Any] {
        let result = try runTrainyard(["sweep", "status", sweepID, "--json"], home: fixture.home)
        try #require(result.status == 0, "sweep status failed: \(result.stderr)")
        return try json(result.stdout)
    }

    @Test func gridOverLearningRateAndHiddenSizeRegistersTheBest() throws {
        let fixture = try fixture("sweep-grid")
        defer { fixture.remove() }
        let result = try sweep(fixture, try fixture.job(Self.grid, name: "grid.yaml"))
        let sweepID = try #require(result["sweep_id"] as? String)
        let bestRun = try #require(result["best_run_id"] as? String)
        let bestMetric = try #require(result["best_metric"] as? Double)

        // Every combination ran once, as a trial of the sweep run.
        let list = try runTrainyard(["runs", "list", "--parent", sweepID, "--json"], home: fixture.home)
        let runs = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(runs.count == 4)
        let combinations = Set(
            runs.compactMap { run -> String? in
                guard let params = run["params"] as? [String: Any] else { return nil }
                return "\(params["optimizer.lr"] ?? "?") \(params["model.hidden"] ?? "?")"
            })
        #expect(combinations.count == 4, "\(combinations)")
        let losses = runs.compactMap { ($0["metrics"] as? [String: Any])?["val_loss"] as? Double }
        #expect(losses.count == 4 && losses.min() == bestMetric)
        #expect(runs.allSatisfy { $0["status"] as? String == "FINISHED" })

        // The best trial's parameters are registered, with the alias.
        let model = try runTrainyard(["models", "show", "blobs-best", "--json"], home: fixture.home)
        #expect(model.status == 0, "\(model.stderr)")
        #expect(model.stdout.contains(bestRun) && model.stdout.contains("staging"))

        let summary = try status(fixture, sweepID)
        #expect(summary["status"] as? String == "finished")
        #expect(summary["best_run_id"] as? String == bestRun)
        #expect(summary["registered"] as? String == "blobs-best/1")

        // Two workers were started once, one per concurrent trial, and served two trials each.
        let logs = fixture.home.file("artifacts/\(sweepID)")
        let joins = try ["slot-0", "slot-1"].map { slot in
            let text = try String(contentsOf: logs.appendingPathComponent("\(slot)/worker-0.log"), encoding: .utf8)
            return text.components(separatedBy: "joined job").count - 1
        }
        #expect(joins.reduce(0, +) == 4 && joins.allSatisfy { $0 >= 1 }, "joins per worker: \(joins)")
        #expect(!FileManager.default.fileExists(atPath: logs.appendingPathComponent("slot-0/worker-1.log").path))

        // Nothing a sweep or its trials wrote is garbage: gc keeps the state, logs and packages.
        let gc = try runTrainyard(["gc", "--dry-run", "--grace", "0", "--json"], home: fixture.home)
        let report = try json(gc.stdout)
        #expect(
            (report["removed_files"] as? [String])?.isEmpty == true, "gc would remove \(report["removed_files"] ?? "?")"
        )
    }

    /// The trials of `sweep status --json` without their run ids (which differ between homes).
    func leaderboard(_ status: [String: Any]) throws -> [String] {
        let trials = try #require(status["trials"] as? [[String: Any]])
        return trials.map { trial in
            let fields = trial.filter { $0.key != "run_id" }
            let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
            return String(decoding: data ?? Data(), as: UTF8.self)
        }
    }

    /// Two trials at a time: the decisions follow the trials' virtual end times, not which
    /// process happens to finish first, so they survive the kill (and a different worker count).
    @Test func killedAndResumedSweepEndsWithTheSameLeaderboard() throws {
        let reference = try fixture("sweep-reference")
        defer { reference.remove() }
        let referenceFile = try reference.job(Self.asha, name: "asha.yaml")
        let run = try runTrainyard(
            ["sweep", referenceFile, "--workers", "3", "--json"], home: reference.home, timeout: 120)
        try #require(run.status == 0, "sweep failed (\(run.status)): \(run.stderr)")
        let uninterrupted = try json(run.stdout)
        let expected = try status(reference, try #require(uninterrupted["sweep_id"] as? String))

        let fixture = try fixture("sweep-killed")
        defer { fixture.remove() }
        let file = try fixture.job(Self.asha, name: "asha.yaml")
        let child = try ChildProcess(
            try BuiltProducts.executable("trainyard"), ["sweep", file, "--workers", "2", "--json"],
            environment: ["TRAINYARD_HOME": fixture.home.path], currentDirectory: fixture.home.url)
        defer { child.stop() }
        var workers: [Int32] = []
        let reached = child.waitForOutput(timeout: 60) { _, stderr in
            workers = Array(Set(workers).union(childProcesses(of: child.pid)))
            return stderr.contains("trial 3 starts")
        }
        try #require(reached, "the sweep did not get to trial 3: \(child.stderr)")
        workers = Array(Set(workers).union(childProcesses(of: child.pid)))
        kill(child.pid, SIGKILL)
        for worker in workers { kill(worker, SIGKILL) }
        _ = try? child.wait(timeout: 30)
        #expect(workers.count == 2, "workers seen: \(workers)")

        // The same command again picks the sweep up.
        let resumed = try runTrainyard(["sweep", file, "--workers", "2", "--json"], home: fixture.home, timeout: 120)
        try #require(resumed.status == 0, "resumed sweep failed: \(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming sweep"))
        let result = try json(resumed.stdout)
        let sweepID = try #require(result["sweep_id"] as? String)
        #expect(child.stderr.hasPrefix("sweep \(sweepID):"), "another sweep was resumed: \(child.stderr)")
        let actual = try status(fixture, try #require(result["sweep_id"] as? String))
        #expect(try leaderboard(actual) == leaderboard(expected))
        #expect(result["best_metric"] as? Double == uninterrupted["best_metric"] as? Double)
        #expect(actual["total_epochs"] as? Int == expected["total_epochs"] as? Int)
        // ASHA stopped the poor trials early: fewer epochs than 6 trials × 9.
        #expect((actual["total_epochs"] as? Int ?? 99) < 6 * 9 / 2)

        let again = try runTrainyard(
            ["sweep", "resume", try #require(result["sweep_id"] as? String), "--json"],
            home: fixture.home)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try json(again.stdout)["best_run_id"] as? String == result["best_run_id"] as? String)
    }

    @Test func invalidSweepsAreRejectedNamingTheKey() throws {
        let fixture = try TrainingFixture("sweep-invalid")
        defer { fixture.remove() }
        let cases = [
            (
                "search: {optimizer.lr: {loguniform: [0, 0.1]}}",
                "search.optimizer.lr: loguniform needs bounds > 0 (the log of 0 is undefined)"
            ),
            ("search: {model.hidden: {choice: []}}", "search.model.hidden: choice needs at least one value"),
            ("search: {optimizer.lr: {uniform: [0.5, 0.1]}}", "search.optimizer.lr: low 0.5 is greater than high 0.1"),
            ("search: {optimizer.lrr: {choice: [0.1]}}", "optimizer.lrr"),
        ]
        for (search, message) in cases {
            let file = try fixture.job(Self.job + "\n" + search + "\n", name: "bad.yaml")
            let result = try runTrainyard(["sweep", file, "--workers", "1"], home: fixture.home)
            #expect(result.status == 2, "\(search): exit \(result.status)")
            #expect(result.stderr.contains(message), "\(search): \(result.stderr)")
        }
        // A dataset the catalog does not have stops the sweep before any trial runs.
        let file = try fixture.job(Self.grid, name: "grid.yaml")
        let result = try runTrainyard(["sweep", file, "--workers", "1"], home: fixture.home)
        #expect(result.status == 2 && result.stderr.contains("no dataset matches 'blobs'"), "\(result.stderr)")
        let runs = try runTrainyard(["runs", "list", "--json"], home: fixture.home)
        let listed = try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [Any]
        #expect(listed?.isEmpty == true, "\(runs.stdout)")
    }
}
