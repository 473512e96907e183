import GradientCore
import Testing
import TrainingProtocol
@testable import TrainingRuntime

/// Separable two-class data: label 1 when the first feature plus half the second is positive.
func separableData(rows: Int, features: Int, seed: UInt64) -> InMemoryExamples {
    var rng = Philox(seed: seed)
    var x = [Float](repeating: 0, count: rows * features)
    var y = [Float](repeating: 0, count: rows)
    for r in 0..<rows {
        for j in 0..<features { x[r * features + j] = rng.nextFloat() * 2 - 1 }
        y[r] = x[r * features] + 0.5 * x[r * features + 1] > 0 ? 1 : 0
    }
    return InMemoryExamples(features: x, labels: y, featureCount: features, seed: 11)
}

/// Drives a SyncTrainer with in-process workers that exchange real protocol messages.
struct SimulatedCluster {
    struct Worker {
        let identity: WorkerIdentity
        let route: [UInt8]
        var parameters: [UInt64: [Float]] = [:]
        var inbox: [Message] = []
        var alive = true
    }

    var trainer: SyncTrainer
    var workers: [Worker] = []
    let workload: MicroShardWorkload
    var now = 0.0
    var reports: [SyncTrainer.StepReport] = []
    var waitingNotices = 0
    var finished = false
    /// Called after every completed step with the step count; may kill workers.
    var onStep: ((Int, inout SimulatedCluster) -> Void)?

    init(examples: InMemoryExamples, spec: ModelSpec, epochs: Int, batch: Int, microShards: Int, minWorkers: Int = 1) throws {
        let model = try spec.makeModel()
        let setup = SyncTrainer.Setup(
            jobID: JobID.random(), model: model,
            schedule: BatchSchedule(rows: examples.exampleCount, batchSize: batch, microShards: microShards),
            epochs: epochs, optimizer: GradientCore.OptimizerConfig(kind: .sgd, learningRate: 0.5, momentum: 0.9),
            learningRate: LearningRateSchedule(kind: .constant, totalSteps: 1), heartbeatInterval: 0.5,
            heartbeatTimeout: 2, minWorkers: minWorkers, datasetDigest: ContentDigest(bytes: Array(repeating: 7, count: 32))!,
            jobConfiguration: "{}", configDigest: ContentDigest(bytes: Array(repeating: 9, count: 32))!)
        let optimizer = try Optimizer(config: setup.optimizer, parameterCount: model.layout.count)
        trainer = SyncTrainer(setup: setup, parameters: spec.initialParameters(seed: 3), optimizer: optimizer)
        workload = MicroShardWorkload(model: model, examples: examples)
    }

    mutating func addWorker() {
        let identity = WorkerIdentity.random()
        let route = Array(identity.bytes.prefix(5))
        workers.append(Worker(identity: identity, route: route))
        let register = Register(worker: identity, processID: 1, threads: 1, capabilities: [], hostName: "sim", cachedDatasets: [])
        execute(trainer.handle(.register(register), from: route, now: now))
    }

    mutating func execute(_ commands: [SyncTrainer.Command]) {
        for command in commands {
            switch command {
            case .send(let message, let route):
                if let i = workers.firstIndex(where: { $0.route == route }) { workers[i].inbox.append(message) }
            case .publish(let message):
                for i in workers.indices { workers[i].inbox.append(message) }
            case .stepCompleted(let report):
                reports.append(report)
                if let onStep { onStep(report.step, &self) }
            case .waiting: waitingNotices += 1
            case .finished: finished = true
            case .membership, .dropped, .serveData: break
            }
        }
    }

    /// Delivers messages until the job finishes; time advances only when nothing else can happen.
    mutating func run(maxRounds: Int = 100_000) throws {
        var rounds = 0
        while !finished && rounds < maxRounds {
            rounds += 1
            var progressed = false
            for i in workers.indices where workers[i].alive && !workers[i].inbox.isEmpty {
                let message = workers[i].inbox.removeFirst()
                progressed = true
                switch message {
                case .parameterBroadcast(let b): workers[i].parameters[b.version] = b.parameters.toArray()
                case .workAssignment(let a):
                    guard let p = workers[i].parameters[a.parameterVersion] else {
                        Issue.record("assignment before parameters")
                        return
                    }
                    for sum in try workload.compute(a, parameters: p) {
                        let result = TrainingProtocol.GradientResult(
                            step: a.step, parameterVersion: a.parameterVersion, exampleCount: UInt64(sum.count),
                            lossSum: sum.lossSum, microShards: sum.leaves, microShardsPerBatch: Int(a.microShardsPerBatch),
                            gradientSum: FloatPayload(sum.gradient))
                        let route = workers[i].route
                        execute(trainer.handle(.gradientResult(result), from: route, now: now))
                    }
                default: break
                }
            }
            if !progressed {
                now += 0.5
                for w in workers where w.alive {
                    execute(trainer.handle(.heartbeat(Heartbeat(sequence: 0, lastParameterVersion: 0)), from: w.route, now: now))
                }
                execute(trainer.tick(now: now))
            }
        }
    }
}

@Suite struct SyncTrainerTests {
    let spec = ModelSpec(kind: .logistic, inputs: 4)

    func train(workers: Int, kill: [Int: Int] = [:], rows: Int = 600) throws -> SimulatedCluster {
        var cluster = try SimulatedCluster(examples: separableData(rows: rows, features: 4, seed: 1), spec: spec,
                                           epochs: 3, batch: 64, microShards: 8)
        for _ in 0..<workers { cluster.addWorker() }
        cluster.onStep = { step, cluster in
            if let victim = kill[step] { cluster.workers[victim].alive = false }
        }
        execute(&cluster)
        try cluster.run()
        return cluster
    }

    private func execute(_ cluster: inout SimulatedCluster) {
        cluster.execute(cluster.trainer.start(now: 0))
    }

    @Test func trainsAndFinalParametersDoNotDependOnTheWorkerCount() throws {
        let one = try train(workers: 1)
        #expect(one.finished)
        #expect(one.trainer.completedSteps == 3 * 10)
        #expect(one.reports.last!.meanLoss < one.reports.first!.meanLoss)
        for n in 2...4 {
            let other = try train(workers: n)
            #expect(other.finished)
            #expect(other.trainer.parameters.map(\.bitPattern) == one.trainer.parameters.map(\.bitPattern), "\(n) workers")
        }
    }

    @Test func aWorkerLostMidRunChangesNothing() throws {
        let reference = try train(workers: 3)
        let lossy = try train(workers: 3, kill: [4: 1, 17: 0])
        #expect(lossy.finished)
        #expect(lossy.trainer.membership.members.count == 1)
        #expect(lossy.trainer.parameters.map(\.bitPattern) == reference.trainer.parameters.map(\.bitPattern))
    }

    @Test func waitsForMinWorkersAndSaysSo() throws {
        var cluster = try SimulatedCluster(examples: separableData(rows: 128, features: 4, seed: 2), spec: spec,
                                           epochs: 1, batch: 64, microShards: 4, minWorkers: 2)
        cluster.addWorker()
        cluster.execute(cluster.trainer.start(now: 0))
        for t in 1...4 {
            cluster.now = Double(t)
            let route = cluster.workers[0].route
            cluster.execute(cluster.trainer.handle(.heartbeat(Heartbeat(sequence: 0, lastParameterVersion: 0)),
                                                   from: route, now: cluster.now))
            cluster.execute(cluster.trainer.tick(now: cluster.now))
        }
        #expect(cluster.trainer.completedSteps == 0)
        #expect(cluster.waitingNotices >= 2)
        cluster.addWorker()
        try cluster.run()
        #expect(cluster.finished)
    }

    @Test func staleAndForeignMessagesAreDropped() throws {
        var cluster = try SimulatedCluster(examples: separableData(rows: 128, features: 4, seed: 2), spec: spec,
                                           epochs: 1, batch: 64, microShards: 4)
        let stranger = cluster.trainer.handle(.heartbeat(Heartbeat(sequence: 1, lastParameterVersion: 0)), from: [9, 9], now: 0)
        #expect(stranger.contains { if case .dropped = $0 { true } else { false } })
        cluster.addWorker()
        let stale = TrainingProtocol.GradientResult(step: 5, parameterVersion: 3, exampleCount: 1, lossSum: 0,
                                                    microShards: 0..<1, microShardsPerBatch: 4,
                                                    gradientSum: FloatPayload([Float](repeating: 0, count: 5)))
        let commands = cluster.trainer.handle(.gradientResult(stale), from: cluster.workers[0].route, now: 0)
        #expect(commands.contains { if case .dropped(let why) = $0 { why.contains("stale") } else { false } })
    }
}
