import Foundation
import GradientCore
import Logging
import Testing
import TrainingProtocol
import ZeroMQ

@testable import TrainingRuntime

/// Records what the coordinator reports.
private final class Recorder: TrainingObserver, @unchecked Sendable {
    var reports: [StepReport] = []
    var events: [Membership.Event] = []
    func stepCompleted(_ report: StepReport, state: TrainingSnapshot) { reports.append(report) }
    func membershipChanged(_ event: Membership.Event) { events.append(event) }
    func waiting(have: Int, need: Int) {}
    func stragglerDetected(_ report: StragglerReport) {}
}

/// The coordinator and worker loops over real ZeroMQ sockets (TCP loopback), workers on threads.
@Suite struct SocketTrainingTests {
    func runJob(workers: Int) throws -> (parameters: [Float], exits: [WorkerExit]) {
        let examples = separableData(rows: 400, features: 4, seed: 1)
        let spec = ModelSpec(kind: .logistic, inputs: 4)
        let model = try spec.makeModel()
        let jobID = JobID.random()
        let context = try Context()
        let logger = {
            var l = Logger(label: "test"); l.logLevel = .warning; return l
        }()
        let server = try CoordinatorServer(
            context: context, jobID: jobID, parameterCount: model.layout.count,
            controlBind: "tcp://127.0.0.1:*", broadcastBind: nil, logger: logger)
        let jobSpec = WorkerJobSpec(
            model: spec, datasetDigest: String(repeating: "0", count: 64),
            split: TrainingSplit(seed: 11, validationFraction: 0, stratify: false),
            transformsJSON: nil, threads: 1,
            broadcastPort: CoordinatorServer.port(of: server.broadcastEndpoint)!)
        let specJSON = String(decoding: try JSONEncoder().encode(jobSpec), as: UTF8.self)
        let setup = TrainerSetup(
            jobID: jobID, model: model, schedule: BatchSchedule(rows: 400, batchSize: 64, microShards: 8), epochs: 2,
            optimizer: GradientCore.OptimizerConfig(kind: .sgd, learningRate: 0.5),
            learningRate: LearningRateSchedule(kind: .constant, base: 0.5, totalSteps: 1),
            heartbeatInterval: 0.2, heartbeatTimeout: 5, minWorkers: workers,
            datasetDigest: ContentDigest(bytes: Array(repeating: 0, count: 32))!, jobConfiguration: specJSON,
            configDigest: ContentDigest(bytes: Array(repeating: 1, count: 32))!)
        var trainer = SyncTrainer(
            setup: setup, parameters: spec.initialParameters(seed: 3),
            optimizer: try Optimizer(config: setup.optimizer, parameterCount: model.layout.count))

        let exits = ExitBox()
        // Stops the coordinator if a worker fails, so a broken worker fails the test instead of hanging it.
        let watchdog = StopFlag()
        let endpoint = server.controlEndpoint
        var threads: [Thread] = []
        for i in 0..<workers {
            let thread = Thread {
                let client = WorkerClient(
                    context: context,
                    settings: WorkerSettings(
                        connect: endpoint, jobID: jobID, giveUpAfter: 20, hostName: "test", processID: UInt32(i + 1)),
                    logger: logger)
                do {
                    exits.append(
                        try client.run(stop: StopFlag()) { _, spec in
                            MicroShardWorkload(model: try spec.model.makeModel(), examples: examples)
                        })
                } catch {
                    exits.append(.coordinatorLost("worker failed: \(error)"))
                    watchdog.request()
                }
            }
            thread.start()
            threads.append(thread)
        }
        let recorder = Recorder()
        let outcome = try server.run(&trainer, observer: recorder, stop: watchdog)
        #expect(outcome == .finished)
        if outcome != .finished { Issue.record("worker exits: \(exits.values)") }
        #expect(recorder.reports.count == 2 * 7)
        #expect(recorder.events.count >= workers)
        // Workers exit on the coordinator's shutdown message.
        let deadline = Date().addingTimeInterval(20)
        while exits.count < workers && Date() < deadline { usleep(10_000) }
        return (trainer.parameters, exits.values)
    }

    @Test func coordinatorAndWorkersTrainOverTCP() throws {
        let one = try runJob(workers: 1)
        let two = try runJob(workers: 2)
        #expect(one.parameters.map(\.bitPattern) == two.parameters.map(\.bitPattern))
        #expect(two.exits.count == 2)
        #expect(two.exits.allSatisfy { if case .shutdown(.jobFinished, _) = $0 { true } else { false } })
    }
}

/// Thread-safe collection of worker exits.
private final class ExitBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [WorkerExit] = []
    func append(_ e: WorkerExit) { lock.withLock { items.append(e) } }
    var count: Int { lock.withLock { items.count } }
    var values: [WorkerExit] { lock.withLock { items } }
}
