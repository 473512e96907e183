import GradientCore
import JobConfiguration
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

@Suite struct SyncTrainerTests {
    let spec = ModelSpec(kind: .logistic, inputs: 4)

    func cluster(
        rows: Int, epochs: Int, microShards: Int, minWorkers: Int = 1,
        configure: (inout TrainerSetup) -> Void = { _ in }
    ) throws -> SimulatedCluster<SyncTrainer> {
        try SimulatedCluster(
            examples: separableData(rows: rows, features: 4, seed: rows == 600 ? 1 : 2), spec: spec,
            epochs: epochs, batch: 64, microShards: microShards, minWorkers: minWorkers,
            configure: configure)
    }

    func train(
        workers: Int, kill: [Int: Int] = [:], slow: [Int: Int] = [:],
        policy: JobConfig.Cluster.StragglerPolicy = .report
    )
        throws -> SimulatedCluster<SyncTrainer>
    {
        var cluster = try cluster(rows: 600, epochs: 3, microShards: 8) { $0.stragglerPolicy = policy }
        cluster.onStep = { step, cluster in
            if let victim = kill[step] { cluster.workers[victim].alive = false }
            if let laggard = slow[step] { cluster.workers[laggard].busyUntil = cluster.now + 3 }
        }
        try cluster.run(workers: workers)
        return cluster
    }

    @Test func trainsAndFinalParametersDoNotDependOnTheWorkerCount() throws {
        let one = try train(workers: 1)
        #expect(one.finished)
        #expect(one.trainer.completedSteps == 3 * 10)
        #expect(one.reports.last!.meanLoss < one.reports.first!.meanLoss)
        for n in 2...4 {
            let other = try train(workers: n)
            #expect(other.finished)
            #expect(
                other.trainer.parameters.map(\.bitPattern) == one.trainer.parameters.map(\.bitPattern), "\(n) workers")
        }
    }

    /// Rows gathered ahead between steps are used when the guess is right and change no bits.
    @Test func prefetchedRowsAreUsedAndChangeNothing() throws {
        let reference = try train(workers: 1).trainer.parameters
        for workers in [1, 2] {
            var cluster = try SimulatedCluster(
                examples: separableData(rows: 600, features: 4, seed: 1), spec: spec,
                epochs: 3, batch: 64, microShards: 8, prefetch: true
            ) { _ in }
            try cluster.run(workers: workers)
            #expect(cluster.trainer.parameters.map(\.bitPattern) == reference.map(\.bitPattern), "\(workers) workers")
            let prefetcher = try #require(cluster.workload.prefetcher)
            #expect(
                prefetcher.hits > 0 && prefetcher.hits <= prefetcher.gathered,
                "\(workers) workers: \(prefetcher.hits) of \(prefetcher.gathered)")
            // One worker: every step after the second of each epoch is guessed right.
            if workers == 1 { #expect(prefetcher.hits >= 8 * (600 / 64 - 2) * 3) }
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
        var cluster = try cluster(rows: 128, epochs: 1, microShards: 4, minWorkers: 2)
        cluster.addWorker()
        cluster.execute(cluster.trainer.start(now: 0))
        for t in 1...4 {
            cluster.now = Double(t)
            let route = cluster.workers[0].route
            cluster.execute(
                cluster.trainer.handle(
                    .heartbeat(Heartbeat(sequence: 0, lastParameterVersion: 0)),
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
        var cluster = try cluster(rows: 128, epochs: 1, microShards: 4)
        let stranger = cluster.trainer.handle(
            .heartbeat(Heartbeat(sequence: 1, lastParameterVersion: 0)), from: [9, 9], now: 0)
        #expect(stranger.contains { if case .dropped = $0 { true } else { false } })
        cluster.addWorker()
        let stale = TrainingProtocol.GradientResult(
            step: 5, parameterVersion: 3, exampleCount: 1, lossSum: 0,
            microShards: 0..<1, microShardsPerBatch: 4,
            gradientSum: FloatPayload([Float](repeating: 0, count: 5)))
        let commands = cluster.trainer.handle(.gradientResult(stale), from: cluster.workers[0].route, now: 0)
        #expect(commands.contains { if case .dropped(let why) = $0 { why.contains("stale") } else { false } })
    }

    @Test func aStragglerIsReportedAndTheModelStaysTheSame() throws {
        let reference = try train(workers: 3)
        #expect(reference.stragglers.isEmpty)
        let slowed = try train(workers: 3, slow: [5: 1])
        #expect(slowed.finished)
        let report = try #require(slowed.stragglers.first)
        #expect(report.index == 1 && report.reassigned == 0)
        #expect(report.elapsed > 0.5 && report.median == 0)
        #expect(slowed.trainer.parameters.map(\.bitPattern) == reference.trainer.parameters.map(\.bitPattern))
    }

    @Test func reassigningAStragglersLeavesFinishesSoonerWithTheSameBits() throws {
        let reference = try train(workers: 3)
        let waited = try train(workers: 3, slow: [5: 1], policy: .report)
        let copied = try train(workers: 3, slow: [5: 1], policy: .reassign)
        #expect(copied.finished)
        let report = try #require(copied.stragglers.first)
        #expect(report.index == 1 && report.reassigned > 0)
        // The helpers' copies arrive first; the straggler's own results, later, are discarded.
        let (early, late) = (try #require(copied.completedAt[6]), try #require(waited.completedAt[6]))
        #expect(early < late, "step 6 took until \(early)s with reassignment, \(late)s without")
        #expect(copied.trainer.parameters.map(\.bitPattern) == reference.trainer.parameters.map(\.bitPattern))
        #expect(copied.trainer.membership.members.count == 3)
    }

    @Test func stragglerDetectorUsesTheMedianAndAFloor() {
        let (a, b, c) = (WorkerIdentity.random(), WorkerIdentity.random(), WorkerIdentity.random())
        var detector = StragglerDetector(factor: 3, floor: 0.5)
        for w in [a, b, c] { detector.began(w, now: 0) }
        detector.finished(a, now: 1)
        #expect(detector.median(of: [a, b, c]) == nil, "one share time is no median")
        detector.finished(b, now: 2)
        #expect(detector.median(of: [a, b, c]) == 1.5)
        #expect(detector.stragglers(among: [a, b, c], now: 4.5).isEmpty, "4.5s is not above 3 x 1.5s")
        let found = detector.stragglers(among: [a, b, c], now: 4.6)
        #expect(found.map(\.worker) == [c])
        #expect(detector.stragglers(among: [a, b, c], now: 9).isEmpty, "reported once per step")
        detector.beginStep()
        #expect(detector.stragglers(among: [a, b, c], now: 9).map(\.worker) == [c])
        var fast = StragglerDetector(factor: 3, floor: 0.5)
        for w in [a, b, c] { fast.began(w, now: 0) }
        fast.finished(a, now: 0.01)
        fast.finished(b, now: 0.01)
        #expect(fast.stragglers(among: [a, b, c], now: 0.4).isEmpty, "below the floor")
        #expect(fast.stragglers(among: [a, b, c], now: 0.6).map(\.worker) == [c])
    }
}
