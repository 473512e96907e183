import GradientCore
import Testing
import TrainingProtocol
@testable import TrainingRuntime

/// Drives a coordinator state machine with in-process workers that exchange real protocol
/// messages, on a made-up clock: time advances only when no worker can do anything.
struct SimulatedCluster<Trainer: CoordinatorTrainer> {
    struct Worker {
        let identity: WorkerIdentity
        let route: [UInt8]
        var parameters: [UInt64: [Float]] = [:]
        var inbox: [Message] = []
        var alive = true
        /// The worker reads nothing before this time (a straggler), but keeps sending heartbeats.
        var busyUntil = 0.0
        var rejections = 0
    }

    var trainer: Trainer
    var workers: [Worker] = []
    let workload: MicroShardWorkload
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
    init(examples: InMemoryExamples, spec: ModelSpec, epochs: Int, batch: Int, microShards: Int, minWorkers: Int = 1,
         prefetch: Bool = false, configure: (inout TrainerSetup) -> Void = { _ in },
         make: (TrainerSetup, [Float], Optimizer) -> Trainer) throws {
        let model = try spec.makeModel()
        var setup = TrainerSetup(
            jobID: JobID.random(), model: model,
            schedule: BatchSchedule(rows: examples.exampleCount, batchSize: batch, microShards: microShards),
            epochs: epochs, optimizer: GradientCore.OptimizerConfig(kind: .sgd, learningRate: 0.5, momentum: 0.9),
            learningRate: LearningRateSchedule(kind: .constant, base: 0.5, totalSteps: 1), heartbeatInterval: 0.5,
            heartbeatTimeout: 2, minWorkers: minWorkers, datasetDigest: ContentDigest(bytes: Array(repeating: 7, count: 32))!,
            jobConfiguration: "{}", configDigest: ContentDigest(bytes: Array(repeating: 9, count: 32))!)
        configure(&setup)
        let optimizer = try Optimizer(config: setup.optimizer, parameterCount: model.layout.count)
        trainer = make(setup, spec.initialParameters(seed: 3), optimizer)
        workload = MicroShardWorkload(model: model, examples: examples,
                                      localUpdate: LocalUpdateRule(optimizer: setup.optimizer, learningRate: setup.learningRate),
                                      prefetch: prefetch)
    }

    mutating func addWorker() {
        let identity = WorkerIdentity.random()
        let route = Array(identity.bytes.prefix(5))
        workers.append(Worker(identity: identity, route: route))
        let register = Register(worker: identity, processID: 1, threads: 1, capabilities: [], hostName: "sim", cachedDatasets: [])
        execute(trainer.handle(.register(register), from: route, now: now))
    }

    mutating func execute(_ commands: [TrainerCommand]) {
        for command in commands {
            switch command {
            case .send(let message, let route):
                if let i = workers.firstIndex(where: { $0.route == route }) { workers[i].inbox.append(message) }
            case .publish(let message):
                for i in workers.indices { workers[i].inbox.append(message) }
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

    /// Worker `i` answers one message.
    private mutating func deliver(_ message: Message, to i: Int) throws {
        let route = workers[i].route
        switch message {
        case .parameterBroadcast(let b): workers[i].parameters[b.version] = b.parameters.toArray()
        case .resultRejected: workers[i].rejections += 1
        case .workAssignment(let a):
            guard let p = workers[i].parameters[a.parameterVersion] else {
                Issue.record("assignment before parameters")
                return
            }
            if a.mode == .localSGD {
                let round = try workload.localRound(a, parameters: p)
                let result = LocalSGDResult(step: a.step, baseVersion: a.parameterVersion, localSteps: a.localSteps,
                                            exampleCount: UInt64(round.examples), lossSum: round.lossSum,
                                            parameters: FloatPayload(round.parameters))
                execute(trainer.handle(.localSGDResult(result), from: route, now: now))
                return
            }
            for sum in try workload.compute(a, parameters: p) {
                let result = TrainingProtocol.GradientResult(
                    step: a.step, parameterVersion: a.parameterVersion, exampleCount: UInt64(sum.count),
                    lossSum: sum.lossSum, microShards: sum.leaves, microShardsPerBatch: Int(a.microShardsPerBatch),
                    gradientSum: FloatPayload(sum.gradient))
                execute(trainer.handle(.gradientResult(result), from: route, now: now))
            }
            workload.prefetcher?.prefetch(after: a)
        default: break
        }
    }

    /// Delivers messages until the job finishes; time advances only when nothing else can happen.
    mutating func run(maxRounds: Int = 100_000) throws {
        var rounds = 0
        while !finished && rounds < maxRounds {
            rounds += 1
            var progressed = false
            for i in workers.indices where workers[i].alive && workers[i].busyUntil <= now && !workers[i].inbox.isEmpty {
                let message = workers[i].inbox.removeFirst()
                progressed = true
                try deliver(message, to: i)
            }
            if !progressed {
                now += 0.25
                for w in workers where w.alive {
                    execute(trainer.handle(.heartbeat(Heartbeat(sequence: 0, lastParameterVersion: 0)), from: w.route, now: now))
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
    let evaluation = try spec.makeModel().evaluate(parameters: parameters, features: examples.features,
                                                   labels: examples.labels, rows: examples.exampleCount)
    return evaluation.accuracy ?? 0
}

extension SimulatedCluster where Trainer == SyncTrainer {
    /// A cluster around a ``SyncTrainer``.
    init(examples: InMemoryExamples, spec: ModelSpec, epochs: Int, batch: Int, microShards: Int, minWorkers: Int = 1,
         prefetch: Bool = false, configure: (inout TrainerSetup) -> Void = { _ in }) throws {
        try self.init(examples: examples, spec: spec, epochs: epochs, batch: batch, microShards: microShards,
                      minWorkers: minWorkers, prefetch: prefetch, configure: configure) {
            SyncTrainer(setup: $0, parameters: $1, optimizer: $2)
        }
    }
}
