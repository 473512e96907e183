import GradientCore
import Testing
import TrainingProtocol

@testable import TrainingRuntime

@Suite struct AsyncTrainerTests {
    let spec = ModelSpec(kind: .logistic, inputs: 4)
    let data = separableData(rows: 600, features: 4, seed: 1)

    func train(workers: Int, maxStaleness: Int = 4, kill: [Int: Int] = [:]) throws -> SimulatedCluster<AsyncTrainer> {
        var cluster = try SimulatedCluster(
            examples: data, spec: spec, epochs: 3, batch: 64, microShards: 4,
            configure: { $0.maxStaleness = maxStaleness }
        ) {
            AsyncTrainer(setup: $0, parameters: $1, optimizer: $2)
        }
        cluster.onStep = { step, cluster in
            if let victim = kill[step] { cluster.workers[victim].alive = false }
        }
        try cluster.run(workers: workers)
        return cluster
    }

    @Test func appliesEveryBatchOnceAndLearns() throws {
        let cluster = try train(workers: 3)
        #expect(cluster.finished)
        #expect(cluster.trainer.completedSteps == 30)
        #expect(cluster.reports.reduce(0) { $0 + $1.examples } == 3 * 600)
        #expect(cluster.reports.filter(\.endsEpoch).count == 3)
        #expect(try accuracy(cluster.trainer.parameters, spec: spec, on: data) > 0.9)
    }

    @Test func staleGradientsAreRejectedAndTheirBatchesRedone() throws {
        let cluster = try train(workers: 4, maxStaleness: 0)
        #expect(cluster.finished)
        #expect(cluster.trainer.staleResults > 0)
        #expect(cluster.workers.reduce(0) { $0 + $1.rejections } == cluster.trainer.staleResults)
        #expect(cluster.reports.reduce(0) { $0 + $1.examples } == 3 * 600, "every batch applied exactly once")
        #expect(try accuracy(cluster.trainer.parameters, spec: spec, on: data) > 0.9)
    }

    @Test func withinTheBoundNothingIsRejected() throws {
        let cluster = try train(workers: 4, maxStaleness: 3)
        #expect(cluster.finished)
        #expect(cluster.trainer.staleResults == 0)
    }

    @Test func aLostWorkersBatchIsGivenToAnother() throws {
        let cluster = try train(workers: 3, kill: [5: 1])
        #expect(cluster.finished)
        #expect(cluster.trainer.membership.members.count == 2)
        #expect(cluster.reports.reduce(0) { $0 + $1.examples } == 3 * 600)
    }

    @Test func aResultForWorkNotAssignedIsRejected() throws {
        var cluster = try SimulatedCluster(examples: data, spec: spec, epochs: 1, batch: 64, microShards: 4) {
            AsyncTrainer(setup: $0, parameters: $1, optimizer: $2)
        }
        cluster.addWorker()
        let bogus = TrainingProtocol.GradientResult(
            step: 7, parameterVersion: 1, exampleCount: 1, lossSum: 0,
            microShards: 0..<4, microShardsPerBatch: 4,
            gradientSum: FloatPayload([Float](repeating: 0, count: 5)))
        let commands = cluster.trainer.handle(.gradientResult(bogus), from: cluster.workers[0].route, now: 0)
        #expect(
            commands.contains {
                if case .send(.resultRejected(let r), _) = $0 { r.reason == .notAssigned } else { false }
            })
        #expect(cluster.trainer.completedSteps == 0)
    }
}
