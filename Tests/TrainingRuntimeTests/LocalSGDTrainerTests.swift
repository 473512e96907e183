import GradientCore
import JobConfiguration
import Testing
import TrainingProtocol

@testable import TrainingRuntime

@Suite struct LocalSGDTrainerTests {
    let spec = ModelSpec(kind: .logistic, inputs: 4)
    let data = separableData(rows: 600, features: 4, seed: 1)

    func train(
        workers: Int, kill: [Int: Int] = [:], slow: [Int: Int] = [:],
        policy: JobConfig.Cluster.StragglerPolicy = .report
    ) throws -> SimulatedCluster<LocalSGDTrainer> {
        var cluster = try SimulatedCluster(
            examples: data, spec: spec, epochs: 3, batch: 64, microShards: 4,
            configure: {
                $0.localSteps = 4
                $0.stragglerPolicy = policy
            }
        ) { LocalSGDTrainer(setup: $0, parameters: $1, optimizer: $2) }
        cluster.onStep = { step, cluster in
            if let victim = kill[step] { cluster.workers[victim].alive = false }
            if let laggard = slow[step] { cluster.workers[laggard].busyUntil = cluster.now + 3 }
        }
        try cluster.run(workers: workers)
        return cluster
    }

    @Test func roundsOfLocalStepsAveragedLearn() throws {
        let cluster = try train(workers: 2)
        #expect(cluster.finished)
        #expect(cluster.trainer.completedSteps == 30)
        // 10 batches per epoch in rounds of at most 4 that never cross an epoch: 4, 4, 2.
        #expect(cluster.reports.map(\.step) == [4, 8, 10, 14, 18, 20, 24, 28, 30])
        #expect(cluster.reports.filter(\.endsEpoch).map(\.step) == [10, 20, 30])
        #expect(cluster.reports.reduce(0) { $0 + $1.examples } == 3 * 600)
        #expect(cluster.trainer.parameterVersion == 10)
        #expect(try accuracy(cluster.trainer.parameters, spec: spec, on: data) > 0.9)
    }

    @Test func oneWorkerWithoutMomentumIsExactlySyncSGD() throws {
        let plain = GradientCore.OptimizerConfig(kind: .sgd, learningRate: 0.5)
        var local = try SimulatedCluster(
            examples: data, spec: spec, epochs: 2, batch: 64, microShards: 1,
            configure: {
                $0.optimizer = plain
                $0.localSteps = 3
            }
        ) { LocalSGDTrainer(setup: $0, parameters: $1, optimizer: $2) }
        try local.run(workers: 1)
        var sync = try SimulatedCluster(
            examples: data, spec: spec, epochs: 2, batch: 64, microShards: 1,
            configure: { $0.optimizer = plain }
        ) {
            SyncTrainer(setup: $0, parameters: $1, optimizer: $2)
        }
        try sync.run(workers: 1)
        #expect(local.reports.count == 8 && sync.reports.count == 20)
        #expect(local.trainer.parameters.map(\.bitPattern) == sync.trainer.parameters.map(\.bitPattern))
    }

    @Test func aLostWorkersShareIsRecomputedWithTheSameBits() throws {
        let reference = try train(workers: 3)
        let lossy = try train(workers: 3, kill: [4: 1])
        #expect(lossy.finished)
        #expect(lossy.trainer.membership.members.count == 2)
        // The round from step 4 to 8 had three shares; the lost worker's was redone elsewhere.
        #expect(lossy.parametersAfter[8]?.map(\.bitPattern) == reference.parametersAfter[8]?.map(\.bitPattern))
        #expect(lossy.reports.reduce(0) { $0 + $1.examples } == 3 * 600)
    }

    @Test func aStragglersShareIsCopiedAndTheFirstResultWins() throws {
        let reference = try train(workers: 3)
        let copied = try train(workers: 3, slow: [4: 2], policy: .reassign)
        #expect(copied.finished)
        let report = try #require(copied.stragglers.first)
        #expect(report.index == 2 && report.reassigned == 1)
        #expect(copied.trainer.parameters.map(\.bitPattern) == reference.trainer.parameters.map(\.bitPattern))
    }
}
