import Foundation
import Testing
import TrainyardTestSupport

/// Worker counts, kill -9 at several points, a worker joining mid-run and `min_workers`, with
/// real processes: every sync run ends with the parameters of the one-worker reference run.
@Suite(.serialized) struct ElasticityCLITests {
    /// Eight micro-shards so that each of up to four workers has some (the default for a batch of
    /// 128 is two, which would leave a killed or stopped worker with nothing to lose).
    static let job = """
        data: {dataset: binary, label: label, validation: 0.25, transforms: [standardize]}
        model: {kind: logistic}
        optimizer: {kind: sgd, lr: 0.2, momentum: 0.9}
        training: {epochs: 60, batch_size: 128, seed: 5, micro_shards: 8}
        cluster: {heartbeat_interval: 0.2, heartbeat_timeout: 1.0, min_workers: MIN, straggler_policy: reassign}
        """

    /// `trainyard train JOB --workers N --json`, running.
    func startTraining(_ fixture: TrainingFixture, _ job: String, workers: Int) throws -> ChildProcess {
        try ChildProcess(
            try BuiltProducts.executable("trainyard"), ["train", job, "--workers", "\(workers)", "--json"],
            environment: ["TRAINYARD_HOME": fixture.home.path], currentDirectory: fixture.home.url)
    }

    /// Waits until the progress shows epoch `epoch` (or later) has begun.
    func waitForEpoch(_ train: ChildProcess, _ epoch: Int, of total: Int) throws {
        let reached = train.waitForOutput(timeout: 120) { _, err in
            (epoch...total).contains { err.contains("epoch \($0)/\(total) ") }
        }
        try #require(reached, "epoch \(epoch) never came: \(train.stderr)")
    }

    func finalDigest(_ train: ChildProcess) throws -> String? {
        let result = try train.wait(timeout: 240)
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(summary["status"] as? String == "FINISHED")
        return summary["final_params_sha256"] as? String
    }

    /// Kills one worker per epoch in `epochs` (in worker order) and checks the run's result.
    func runWithKills(_ fixture: TrainingFixture, _ job: String, workers: Int, killAt epochs: [Int]) throws -> String? {
        let train = try startTraining(fixture, job, workers: workers)
        defer { stopWithWorkers(train) }
        try waitForEpoch(train, 1, of: 60)
        let pids = childProcesses(of: train.pid).sorted()
        try #require(pids.count == workers, "expected \(workers) workers, found \(pids)")
        for (victim, epoch) in zip(pids, epochs) {
            try waitForEpoch(train, epoch, of: 60)
            kill(victim, SIGKILL)
        }
        let lost = train.waitForOutput(timeout: 60) { _, err in
            err.components(separatedBy: " left (").count - 1 == epochs.count
        }
        #expect(lost, "not every killed worker was removed: \(train.stderr)")
        return try finalDigest(train)
    }

    @Test func syncGivesOneModelForAnyWorkerCountAndSurvivesKills() throws {
        let fixture = try TrainingFixture("elastic")
        defer { fixture.remove() }
        try fixture.generate("binary", rows: 2000, features: 8, separation: 0.8)
        let job = try fixture.job(Self.job.replacingOccurrences(of: "MIN", with: "1"))
        let reference = try #require(try fixture.train(job, workers: 1)["final_params_sha256"] as? String)
        #expect(try fixture.train(job, workers: 2)["final_params_sha256"] as? String == reference, "2 workers")
        // Five kill points: epochs 4 and 20 with three workers, 8, 14 and 30 with four.
        #expect(try runWithKills(fixture, job, workers: 3, killAt: [4, 20]) == reference, "3 workers, 2 killed")
        #expect(try runWithKills(fixture, job, workers: 4, killAt: [8, 14, 30]) == reference, "4 workers, 3 killed")
    }

    @Test func belowMinWorkersTrainingPausesAndAWorkerStartedMidRunResumesIt() throws {
        let fixture = try TrainingFixture("elastic-join")
        defer { fixture.remove() }
        try fixture.generate("binary", rows: 2000, features: 8, separation: 0.8)
        let reference = try #require(
            try fixture.train(
                try fixture.job(Self.job.replacingOccurrences(of: "MIN", with: "1"), name: "one.yaml"),
                workers: 1)["final_params_sha256"] as? String)
        let job = try fixture.job(Self.job.replacingOccurrences(of: "MIN", with: "2"))
        let train = try startTraining(fixture, job, workers: 2)
        defer { stopWithWorkers(train) }
        try waitForEpoch(train, 3, of: 60)
        let listening = try #require(
            train.stderr.split(separator: "\n").first { $0.contains("coordinator listening on") })
        let words = listening.split(separator: " ")
        let endpoint = String(words[try #require(words.firstIndex(of: "on")) + 1])
        let jobID = String(try #require(words.last))

        let pids = childProcesses(of: train.pid).sorted()
        try #require(pids.count == 2)
        kill(pids[0], SIGKILL)
        let paused = train.waitForOutput(timeout: 60) { _, err in err.contains("waiting for workers: have 1, need 2") }
        try #require(paused, "no pause below min_workers: \(train.stderr)")
        let stepsWhilePaused = train.stderr.components(separatedBy: "step ").count

        let joiner = try ChildProcess(
            try BuiltProducts.executable("trainyard"),
            ["worker", "--connect", endpoint, "--job-id", jobID, "--give-up-after", "30"],
            environment: ["TRAINYARD_HOME": fixture.home.path], currentDirectory: fixture.home.url)
        defer { joiner.stop() }
        let joined = train.waitForOutput(timeout: 60) { _, err in err.contains("worker 2 joined") }
        #expect(joined, "the new worker never joined: \(train.stderr)")
        #expect(try finalDigest(train) == reference)
        #expect(train.stderr.components(separatedBy: "step ").count > stepsWhilePaused, "no progress after the join")
        let worker = try joiner.wait(timeout: 60)
        #expect(worker.status == 0, "\(worker.stderr)")
        let sent = worker.stderr.split(separator: " ").firstIndex(of: "sent").map {
            worker.stderr.split(separator: " ")[$0 + 1]
        }
        #expect(sent.flatMap { Int($0) } ?? 0 > 0, "the new worker computed nothing: \(worker.stderr)")
    }

    @Test func aStoppedWorkerIsReportedAsAStragglerAndItsWorkCopied() throws {
        let fixture = try TrainingFixture("elastic-straggler")
        defer { fixture.remove() }
        try fixture.generate("binary", rows: 2000, features: 8, separation: 0.8)
        // A long timeout: on a loaded machine 3 x the median step may exceed a short one, and the
        // stopped worker would be removed before it counts as slow.
        let job = try fixture.job(
            Self.job.replacingOccurrences(of: "MIN", with: "1")
                .replacingOccurrences(of: "heartbeat_timeout: 1.0", with: "heartbeat_timeout: 5.0"))
        let reference = try #require(try fixture.train(job, workers: 1)["final_params_sha256"] as? String)
        let train = try startTraining(fixture, job, workers: 3)
        defer { stopWithWorkers(train) }
        try waitForEpoch(train, 3, of: 60)
        // On a loaded machine a worker process can join late: stop one that takes part.
        try #require(train.waitForOutput(timeout: 60) { _, err in err.contains("worker 2 joined") }, "\(train.stderr)")
        let pids = childProcesses(of: train.pid).sorted()
        try #require(pids.count == 3)
        // Stopped for less than the heartbeat timeout: slow, not gone.
        kill(pids[1], SIGSTOP)
        let reported = train.waitForOutput(timeout: 60) { _, err in err.contains("is a straggler") }
        kill(pids[1], SIGCONT)
        try #require(reported, "no straggler reported: \(train.stderr)")
        #expect(train.stderr.contains("copied to other workers"), "\(train.stderr)")
        let result = try train.wait(timeout: 240)
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(summary["final_params_sha256"] as? String == reference)
        let runID = try #require(summary["run_id"] as? String)
        let shown = try runTrainyard(["runs", "show", runID, "--json"], home: fixture.home)
        let run = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        let metrics = try #require(run["metrics"] as? [String: Double])
        #expect(metrics["straggler_events"] ?? 0 >= 1, "\(metrics)")
        let tags = try #require(run["tags"] as? [String: String])
        #expect(tags.values.contains { $0.contains("is a straggler") }, "\(tags)")
    }
}
