import Foundation
import Testing
import TrainyardTestSupport

/// Workers that die, stall and come back during `trainyard train`: the run completes with the
/// same parameters as a run without failures.
@Suite(.serialized) struct FailureCLITests {
    static let job = """
        data: {dataset: binary, label: label, validation: 0.25, transforms: [standardize]}
        model: {kind: logistic}
        optimizer: {kind: sgd, lr: 0.2, momentum: 0.9}
        training: {epochs: 400, batch_size: 128, seed: 5, micro_shards: 8}
        cluster: {heartbeat_interval: 0.2, heartbeat_timeout: 1.0}
        """

    @Test func killedAndStalledWorkersDoNotChangeTheModel() throws {
        let fixture = try TrainingFixture("failures")
        defer { fixture.remove() }
        try fixture.generate("binary", rows: 3000, features: 8, separation: 0.8)
        let job = try fixture.job(Self.job)
        let reference = try fixture.train(job, workers: 1)

        let train = try ChildProcess(
            try BuiltProducts.executable("trainyard"), ["train", job, "--workers", "3", "--json"],
            environment: ["TRAINYARD_HOME": fixture.home.path], currentDirectory: fixture.home.url)
        defer { train.stop() }
        try #require(train.waitForOutput(timeout: 120) { _, err in err.contains("epoch 3/400") }, "\(train.stderr)")
        // On a loaded machine a worker process can join late: kill and stop workers that take part.
        try #require(train.waitForOutput(timeout: 60) { _, err in err.contains("worker 2 joined") }, "\(train.stderr)")
        let workers = childProcesses(of: train.pid).sorted()
        try #require(workers.count == 3)

        // kill -9 one worker: it is removed after the heartbeat timeout and its work redone.
        kill(workers[0], SIGKILL)
        try #require(train.waitForOutput(timeout: 60) { _, err in err.contains("left") }, "\(train.stderr)")

        // SIGSTOP another past the timeout: removed; SIGCONT: it registers again and gets work.
        kill(workers[1], SIGSTOP)
        try #require(
            train.waitForOutput(timeout: 60) { _, err in
                err.components(separatedBy: " left (").count - 1 >= 2
            }, "\(train.stderr)")
        kill(workers[1], SIGCONT)
        let rejoined = train.waitForOutput(timeout: 60) { _, err in err.contains("worker 3 joined") }
        let result = try train.wait(timeout: 300)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(rejoined, "the stalled worker did not rejoin: \(result.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(summary["status"] as? String == "FINISHED")
        #expect(summary["final_params_sha256"] as? String == reference["final_params_sha256"] as? String)
    }
}
