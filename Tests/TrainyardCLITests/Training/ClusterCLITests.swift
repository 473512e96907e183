import Foundation
import Testing
import TrainingProtocol
import TrainyardTestSupport
import ZeroMQ

/// The coordinator and worker commands as separate processes: refusals, garbage on the wire,
/// and clean shutdown on Ctrl-C.
@Suite(.serialized) struct ClusterCLITests {
    /// Starts `trainyard coordinator` on a free port and waits until it says where it listens.
    func startCoordinator(_ fixture: TrainingFixture, job: String, extra: [String] = [])
        throws -> (ChildProcess, endpoint: String, jobID: String)
    {
        let child = try ChildProcess(
            try BuiltProducts.executable("trainyard"),
            ["coordinator", job, "--bind", "tcp://127.0.0.1:*", "--json"] + extra,
            environment: ["TRAINYARD_HOME": fixture.home.path], currentDirectory: fixture.home.url)
        let ready = child.waitForOutput(timeout: 60) { _, err in err.contains("coordinator listening on") }
        try #require(ready, "coordinator did not start: \(child.stderr)")
        let line = try #require(child.stderr.split(separator: "\n").first { $0.contains("coordinator listening on") })
        let words = line.split(separator: " ")
        let endpoint = String(words[words.firstIndex(of: "on")! + 1])
        let jobID = String(words.last!)
        return (child, endpoint, jobID)
    }

    func worker(_ fixture: TrainingFixture, _ arguments: [String]) throws -> ChildProcess {
        try ChildProcess(
            try BuiltProducts.executable("trainyard"), ["worker"] + arguments,
            environment: ["TRAINYARD_HOME": fixture.home.path], currentDirectory: fixture.home.url)
    }

    @Test func workersOfAnotherJobOrProtocolAreRefusedAndGarbageIsIgnored() throws {
        let fixture = try TrainingFixture("cluster")
        defer { fixture.remove() }
        try fixture.generate("binary", rows: 600, features: 4)
        let job = try fixture.job(TrainingCLITests.logistic + "\ncluster: {min_workers: 1}\n")
        let (coordinator, endpoint, jobID) = try startCoordinator(fixture, job: job)
        defer { coordinator.stop() }

        // A stale worker from another job is refused and says why.
        let stale = try worker(
            fixture, ["--connect", endpoint, "--job-id", UUID().uuidString, "--give-up-after", "20"])
        let staleResult = try stale.wait(timeout: 60)
        #expect(staleResult.status == 2)
        #expect(
            staleResult.stderr.contains("refused") && staleResult.stderr.contains("wrong job"), "\(staleResult.stderr)")

        // A peer speaking another protocol version is refused too.
        let context = try Context()
        let dealer = try context.socket(.dealer)
        try dealer.set(.receiveTimeout, .seconds(20))
        try dealer.connect(endpoint)
        let register = Register(
            worker: WorkerIdentity.random(), processID: 1, threads: 1, capabilities: [],
            hostName: "future", cachedDatasets: [])
        var frames = try Envelope(jobID: JobID(uuidString: jobID)!, message: .register(register)).encode().frames
        frames[0][4] = 99  // protocol version 99
        try dealer.send(multipart: frames)
        let answer = try #require(try dealer.receiveMultipart())
        let refusal = try Envelope.decode(answer.map(\.bytes), context: DecodingContext(receiver: .worker, jobID: nil))
        guard case .refuse(let refuse) = refusal.message else {
            Issue.record("expected a refusal, got \(refusal.message.kind)")
            return
        }
        #expect(refuse.reason == .protocolVersion)

        // Random and truncated frames are dropped; training still completes with a real worker.
        var rng = SystemRandomNumberGenerator()
        for i in 0..<200 {
            let length = Int.random(in: 0...200, using: &rng)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if i % 3 == 0 { bytes = Array(frames[0].prefix(Int.random(in: 0..<frames[0].count, using: &rng))) }
            try dealer.send(bytes.isEmpty ? [0] : bytes, flags: .dontWait)
        }
        let good = try worker(fixture, ["--connect", endpoint, "--job-id", jobID, "--give-up-after", "30"])
        let coordinatorResult = try coordinator.wait(timeout: 180)
        #expect(coordinatorResult.status == 0, "\(coordinatorResult.stderr)")
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(coordinatorResult.stdout.utf8)) as? [String: Any])
        #expect(summary["status"] as? String == "FINISHED")
        let goodResult = try good.wait(timeout: 60)
        #expect(goodResult.status == 0, "\(goodResult.stderr)")
    }

    @Test func aWorkerWithoutTheDatasetDownloadsItFromTheCoordinator() throws {
        let fixture = try TrainingFixture("stream")
        defer { fixture.remove() }
        let elsewhere = try TemporaryDirectory("stream-worker")
        defer { elsewhere.remove() }
        try fixture.generate("binary", rows: 900, features: 5)
        let job = try fixture.job(TrainingCLITests.logistic)
        let (coordinator, endpoint, jobID) = try startCoordinator(fixture, job: job)
        defer { coordinator.stop() }
        let remote = try ChildProcess(
            try BuiltProducts.executable("trainyard"),
            ["worker", "--connect", endpoint, "--job-id", jobID, "--give-up-after", "30"],
            environment: ["TRAINYARD_HOME": elsewhere.path], currentDirectory: elsewhere.url)
        defer { remote.stop() }
        let result = try coordinator.wait(timeout: 180)
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(summary["status"] as? String == "FINISHED")
        let workerResult = try remote.wait(timeout: 60)
        #expect(workerResult.status == 0, "\(workerResult.stderr)")
        #expect(workerResult.stderr.contains("downloaded and verified"))
        // The worker's own store now holds the version, under the same digest.
        let local = try FileManager.default.contentsOfDirectory(atPath: fixture.home.file("datasets").path).filter {
            $0.count == 64
        }
        let remoteStore = try FileManager.default.contentsOfDirectory(atPath: elsewhere.file("datasets").path).filter {
            $0.count == 64
        }
        #expect(Set(local) == Set(remoteStore))
    }

    @Test func workerWithoutACoordinatorGivesUpWithAMessage() throws {
        let fixture = try TrainingFixture("lonely")
        defer { fixture.remove() }
        let lonely = try worker(fixture, ["--connect", "tcp://127.0.0.1:9", "--give-up-after", "1"])
        let result = try lonely.wait(timeout: 60)
        #expect(result.status == 1)
        #expect(result.stderr.contains("giving up") && result.stderr.contains("tcp://127.0.0.1:9"))
    }

    @Test func interruptingTrainStopsEverythingAndMarksTheRunKilled() throws {
        let fixture = try TrainingFixture("sigint")
        defer { fixture.remove() }
        try fixture.generate("binary", rows: 2000, features: 8)
        let job = try fixture.job(
            TrainingCLITests.logistic.replacingOccurrences(of: "epochs: 3", with: "epochs: 100000"))
        let train = try ChildProcess(
            try BuiltProducts.executable("trainyard"), ["train", job, "--workers", "2"],
            environment: ["TRAINYARD_HOME": fixture.home.path], currentDirectory: fixture.home.url)
        defer { train.stop() }
        let running = train.waitForOutput(timeout: 120) { _, err in err.contains("step ") && err.contains("workers 2") }
        try #require(running, "training did not start: \(train.stderr)")
        let workers = childProcesses(of: train.pid)
        #expect(workers.count == 2)
        train.send(SIGINT)
        let result = try train.wait(timeout: 60)
        #expect(result.status == 1)
        #expect(result.stdout.contains("killed"), "\(result.stdout)")
        let deadline = Date().addingTimeInterval(30)
        while workers.contains(where: processAlive) && Date() < deadline { usleep(50_000) }
        #expect(!workers.contains(where: processAlive), "worker processes survived the launcher")
        let list = try runTrainyard(["runs", "list", "--json"], home: fixture.home)
        let runs = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(runs.first?["status"] as? String == "KILLED")
    }
}
