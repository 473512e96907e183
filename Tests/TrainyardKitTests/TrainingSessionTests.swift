import Datasets
import Foundation
import JobConfiguration
import Logging
import Testing
import TrackingStore
import TrainingProtocol
import TrainingRuntime
import TrainyardKit
import TrainyardTestSupport
import ZeroMQ

/// Records what a session shows, for assertions.
final class RecordingDisplay: ProgressDisplay, @unchecked Sendable {
    private let lock = NSLock()
    private var _lines: [String] = []
    var lines: [String] { lock.withLock { _lines } }
    var isInteractive: Bool { false }
    func line(_ text: String) { lock.withLock { _lines.append(text) } }
    func status(_ text: String) {}
    func endStatus() {}
}

/// The central use case in-process: a `TrainingSession` coordinating worker threads that run the
/// real `WorkerClient` over real ZeroMQ sockets on loopback, against a real SQLite home.
@Suite(.serialized) struct TrainingSessionTests {
    static func job(epochs: Int = 2) throws -> JobConfig {
        let document = ConfigValue.map([
            (key: "experiment", value: .string("kit")),
            (
                key: "data",
                value: .map([(key: "dataset", value: .string("blobs")), (key: "label", value: .string("label"))])
            ),
            (key: "model", value: .map([(key: "kind", value: .string("logistic"))])),
            (
                key: "optimizer",
                value: .map([(key: "lr", value: .double(0.5)), (key: "momentum", value: .double(0.9))])
            ),
            (
                key: "training",
                value: .map([
                    (key: "epochs", value: .int(epochs)), (key: "batch_size", value: .int(256)),
                    (key: "seed", value: .int(3)),
                ])
            ),
            (key: "checkpoint", value: .map([(key: "every_steps", value: .int(5))])),
        ])
        return try JobConfig(from: document)
    }

    /// A home with a two-class data set named `blobs`.
    static func home() throws -> (TemporaryDirectory, TrainyardHome) {
        let directory = try TemporaryDirectory("kit")
        let home = TrainyardHome(root: directory.url)
        let data = try DataContext.open(home: home)
        let outcome = try data.store.generate(
            SyntheticSpec(kind: .classification, rows: 2000, features: 6, classes: 2, seed: 5, separation: 0.8))
        _ = try data.register(name: "blobs", outcome: outcome, source: nil)
        return (directory, home)
    }

    /// Trains `job` with `workers` in-process workers; returns the summary and what was shown.
    static func train(_ job: JobConfig, home: TrainyardHome, workers: Int, sharedMemory: String? = nil)
        throws -> (TrainingSummary, [String])
    {
        let display = RecordingDisplay()
        let environment = RunEnvironment(home: home, codeRevision: "test", sharedMemoryDirectory: sharedMemory)
        let session = TrainingSession(
            source: .config(job, origin: "test job"), environment: environment,
            controlBind: "tcp://127.0.0.1:*", broadcastBind: nil, display: display)
        var threads: [Thread] = []
        let stop = StopFlag()
        let exits = ExitBox()
        let summary = try session.run(
            launch: { endpoint, jobID, _, _ in
                for _ in 0..<workers {
                    let thread = Thread {
                        let store = DatasetStore(root: home.datasets)
                        var logger = Logger(label: "kit-test-worker")
                        logger.logLevel = .warning
                        let client = WorkerClient(
                            context: try! Context(),
                            settings: WorkerSettings(
                                connect: endpoint, jobID: jobID, giveUpAfter: 20, hostName: "kit-test",
                                processID: UInt32(getpid()), datasetStore: store,
                                sharedMemory: sharedMemory != nil),
                            logger: logger)
                        let exit = try? client.run(stop: stop) { _, spec in try WorkerWorkload.make(spec, store: store)
                        }
                        exits.append(exit)
                    }
                    thread.start()
                    threads.append(thread)
                }
            },
            afterRun: {
                // Workers leave on the coordinator's shutdown; the flag is for a failed run.
                let deadline = Date().addingTimeInterval(20)
                while exits.count < workers && Date() < deadline { usleep(10_000) }
                stop.request()
            })
        #expect(exits.values.allSatisfy { $0 == .shutdown(.jobFinished, "training finished") })
        return (summary, display.lines)
    }

    @Test func aJobTrainsInProcessAndIsRecorded() throws {
        let (directory, home) = try Self.home()
        defer { directory.remove() }
        let (summary, lines) = try Self.train(try Self.job(), home: home, workers: 2)
        #expect(summary.status == "FINISHED")
        #expect(summary.final_params_sha256?.count == 64)
        #expect((summary.metrics["val_accuracy"] ?? 0) > 0.8)
        #expect(lines.contains { $0.hasPrefix("run \(summary.run_id):") })
        let run = try TrackingAccess.open(home).run(summary.run_id)
        #expect(run.status == .finished)
        #expect(run.codeRevision == "test")
        #expect(run.finalParamsSHA256 == summary.final_params_sha256)
        #expect(run.artifacts.contains { $0.kind == "checkpoint" })
        #expect(run.artifacts.contains { $0.kind == "model" })
    }

    @Test func theParametersAreTheSameForAnyWorkerCountAndExchange() throws {
        let (directory, home) = try Self.home()
        defer { directory.remove() }
        let job = try Self.job()
        let one = try Self.train(job, home: home, workers: 1).0
        let three = try Self.train(job, home: home, workers: 3).0
        let shared = try Self.train(job, home: home, workers: 2, sharedMemory: NSTemporaryDirectory()).0
        #expect(one.final_params_sha256 != nil)
        #expect(one.final_params_sha256 == three.final_params_sha256)
        #expect(one.final_params_sha256 == shared.final_params_sha256)
    }

    @Test func aResumedRunOfAFinishedRunIsRefused() throws {
        let (directory, home) = try Self.home()
        defer { directory.remove() }
        let (summary, _) = try Self.train(try Self.job(epochs: 1), home: home, workers: 1)
        let environment = RunEnvironment(home: home, codeRevision: nil, sharedMemoryDirectory: nil)
        let resume = TrainingSession(
            source: .resume(run: summary.run_id, force: false), environment: environment,
            controlBind: "tcp://127.0.0.1:*", broadcastBind: nil, display: RecordingDisplay())
        #expect(throws: BadInput.self) { _ = try resume.run(launch: { _, _, _, _ in }, afterRun: {}) }
    }
}

/// Worker exits collected from worker threads.
final class ExitBox: @unchecked Sendable {
    private let lock = NSLock()
    private var _values: [WorkerExit?] = []
    func append(_ exit: WorkerExit?) { lock.withLock { _values.append(exit) } }
    var values: [WorkerExit?] { lock.withLock { _values } }
    var count: Int { values.count }
}
