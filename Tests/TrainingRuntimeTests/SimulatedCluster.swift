import GradientCore
import Testing
import TrainingProtocol

@testable import TrainingRuntime

/// Drives a coordinator state machine with in-process workers that exchange real protocol
/// messages, on a made-up clock: time advances only when no worker can do anything.
///
/// Each worker is the real ``WorkerSession`` once accepted; the simulation carries out its
/// commands, computing with the real ``MicroShardWorkload`` through a ``WorkerFrameExchange``.
struct SimulatedCluster<Trainer: CoordinatorTrainer> {
    struct Worker {
        let identity: WorkerIdentity
        let route: [UInt8]
        /// The worker's state machine, from its `accept` on.
        var session: WorkerSession?
        /// Control messages and broadcasts, in the order they were sent.
        var inbox: [WorkerEvent] = []
        var alive = true
        /// The worker reads nothing before this time (a straggler), but keeps sending heartbeats.
        var busyUntil = 0.0
        var rejections = 0
        /// How the worker's session ended, if it did (the worker then does nothing more).
        var ended: WorkerSessionEnd?
    }

    var trainer: Trainer
    var workers: [Worker] = []
    let workload: MicroShardWorkload
    let exchange = WorkerFrameExchange()
    var now = 0.0
    var reports: [StepReport] = []
    /// The parameters after each completed step (or round), by step count.
    var parametersAfter: [Int: [Float]] = [:]
    /// The simulated time each step (or round) completed at, by step count.
    var completedAt: [Int: Double] = [:]
    var stragglers: [StragglerReport] = []
    var waitingNotices = 0
    var finished = false
    /// Called after every completed step with the step count; may kill or slow workers.
    var onStep: ((Int, inout SimulatedCluster) -> Void)?

    /// `configure` adjusts the setup (mode settings) before `make` builds the trainer.
    init(
        examples: InMemoryExamples, spec: ModelSpec, epochs: Int, batch: Int, microShards: Int, minWorkers: Int = 1,
        prefetch: Bool = false, configure: (inout TrainerSetup) -> Void = { _ in },
        make: (TrainerSetup, [Float], Optimizer) -> Trainer
    ) throws {
        let model = try spec.makeModel()
        var setup = TrainerSetup(
            jobID: JobID.random(), model: model,
            schedule: BatchSchedule(rows: examples.exampleCount, batchSize: batch, microShards: microShards),
            epochs: epochs, optimizer: GradientCore.OptimizerConfig(kind: .sgd, learningRate: 0.5, momentum: 0.9),
            learningRate: LearningRateSchedule(kind: .constant, base: 0.5, totalSteps: 1), heartbeatInterval: 0.5,
            heartbeatTimeout: 2, minWorkers: minWorkers,
            datasetDigest: ContentDigest(bytes: Array(repeating: 7, count: 32))!,
            jobConfiguration: "{}", configDigest: ContentDigest(bytes: Array(repeating: 9, count: 32))!)
        configure(&setup)
        let optimizer = try Optimizer(config: setup.optimizer, parameterCount: model.layout.count)
        trainer = make(setup, spec.initialParameters(seed: 3), optimizer)
        workload = MicroShardWorkload(
            model: model, examples: examples,
            localUpdate: LocalUpdateRule(optimizer: setup.optimizer, learningRate: setup.learningRate),
            prefetch: prefetch)
    }

    mutating func addWorker() {
        let identity = WorkerIdentity.random()
        let route = Array(identity.bytes.prefix(5))
        workers.append(Worker(identity: identity, route: route))
        let register = Register(
            worker: identity, processID: 1, threads: 1, capabilities: [], hostName: "sim", cachedDatasets: [])
        execute(trainer.handle(.register(register), from: route, now: now))
    }

    mutating func execute(_ commands: [TrainerCommand]) {
        for command in commands {
            switch command {
            case .send(let message, let route):
                if let i = workers.firstIndex(where: { $0.route == route }) {
                    workers[i].inbox.append(.control(message))
                }
            case .publish(let message):
                guard case .parameterBroadcast(let broadcast) = message else { break }
                for i in workers.indices { workers[i].inbox.append(.broadcast(broadcast)) }
            case .stepCompleted(let report):
                reports.append(report)
                parametersAfter[report.step] = trainer.parameters
                completedAt[report.step] = now
                if let onStep { onStep(report.step, &self) }
            case .straggler(let report): stragglers.append(report)
            case .waiting: waitingNotices += 1
            case .finished: finished = true
            case .failed(let reason): Issue.record("the trainer failed the run: \(reason)"); finished = true
            case .membership, .dropped, .serveData: break
            }
        }
    }

    /// Worker `i` takes one event from its inbox: an `accept` starts its session; everything
    /// else goes to the session, followed by `inboxEmpty` (one message per poll).
    private mutating func deliver(_ event: WorkerEvent, to i: Int) throws {
        if case .control(.resultRejected) = event { workers[i].rejections += 1 }
        guard workers[i].session != nil else {
            if case .control(.accept(let accept)) = event {
                workers[i].session = WorkerSession(accept: accept, giveUpAfter: 60, now: now)
            }
            return
        }
        try tell(event, to: i)
        try tell(.inboxEmpty, to: i)
    }

    /// Feeds worker `i`'s session one event and carries out its commands.
    private mutating func tell(_ event: WorkerEvent, to i: Int) throws {
        guard workers[i].ended == nil, let commands = workers[i].session?.handle(event, now: now) else { return }
        let route = workers[i].route
        for command in commands {
            switch command {
            case .send(let message):
                execute(trainer.handle(message, from: route, now: now))
            case .sayGoodbye(let shutdown):
                execute(trainer.handle(.shutdown(shutdown), from: route, now: now))
            case .findParameters(let version):
                // Broadcasts reach the inbox in order, before the work that needs them.
                try tell(.parametersSought(version, receivesBroadcasts: true), to: i)
            case .computeGradients(let assignment, let parameters):
                try tell(
                    computation {
                        try exchange.gradientResults(for: assignment, against: parameters, workload: workload)
                            .map(WorkerEvent.gradientsComputed) ?? .parametersLost
                    }, to: i)
            case .computeRound(let assignment, let parameters):
                try tell(
                    computation {
                        guard let values = exchange.values(of: parameters) else { return .parametersLost }
                        return .roundComputed(try workload.localRound(assignment, parameters: values))
                    }, to: i)
            case .prefetch(let assignment):
                workload.prefetcher?.prefetch(after: assignment)
            case .log:
                break
            case .end(let end):
                workers[i].ended = end
                return
            }
        }
    }

    private func computation(_ body: () throws -> WorkerEvent) throws -> WorkerEvent {
        do {
            return try body()
        } catch let error as GradientCoreError {
            guard case .nonFinite = error else { throw error }
            return .computationFailed(error)
        }
    }

    /// Delivers messages until the job finishes; time advances only when nothing else can happen.
    mutating func run(maxRounds: Int = 100_000) throws {
        var rounds = 0
        while !finished && rounds < maxRounds {
            rounds += 1
            var progressed = false
            for i in workers.indices where workers[i].alive && workers[i].busyUntil <= now && !workers[i].inbox.isEmpty
            {
                let event = workers[i].inbox.removeFirst()
                progressed = true
                try deliver(event, to: i)
            }
            if !progressed {
                now += 0.25
                // Busy workers send heartbeats too; the others also look at their work again.
                for i in workers.indices where workers[i].alive {
                    try tell(.tick, to: i)
                    if workers[i].busyUntil <= now { try tell(.inboxEmpty, to: i) }
                }
                execute(trainer.tick(now: now))
            }
        }
    }

    /// Starts the trainer and runs the job with `workers` workers.
    mutating func run(workers count: Int) throws {
        for _ in 0..<count { addWorker() }
        execute(trainer.start(now: now))
        try run()
    }
}

/// The fraction of `examples` a logistic model with `parameters` classifies correctly.
func accuracy(_ parameters: [Float], spec: ModelSpec, on examples: InMemoryExamples) throws -> Double {
    let evaluation = try spec.makeModel().evaluate(
        parameters: parameters, features: examples.features,
        labels: examples.labels, rows: examples.exampleCount)
    return evaluation.accuracy ?? 0
}

extension SimulatedCluster where Trainer == SyncTrainer {
    /// A cluster around a ``SyncTrainer``.
    init(
        examples: InMemoryExamples, spec: ModelSpec, epochs: Int, batch: Int, microShards: Int, minWorkers: Int = 1,
        prefetch: Bool = false, configure: (inout TrainerSetup) -> Void = { _ in }
    ) throws {
        try self.init(
            examples: examples, spec: spec, epochs: epochs, batch: batch, microShards: microShards,
            minWorkers: minWorkers, prefetch: prefetch, configure: configure
        ) {
            SyncTrainer(setup: $0, parameters: $1, optimizer: $2)
        }
    }
}
