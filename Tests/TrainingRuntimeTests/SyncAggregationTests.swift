import Testing
import TrainingProtocol

@testable import TrainingRuntime

/// A seeded generator so the test data is the same on every run.
private struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}

/// Leaf sums with values of very different magnitudes, so a different addition order would
/// change the bits.
private func leafSums(leaves: Int, parameters: Int, seed: UInt64) -> [Int: SubtreeSum] {
    var rng = SplitMix(state: seed)
    var sums: [Int: SubtreeSum] = [:]
    for leaf in 0..<leaves {
        let gradient = (0..<parameters).map { _ in
            Float.random(in: -1...1, using: &rng) * Float(1 << Int.random(in: 0...20, using: &rng))
        }
        sums[leaf] = SubtreeSum(
            leaves: leaf..<(leaf + 1), gradient: gradient,
            lossSum: Double.random(in: 0...1e6, using: &rng), count: 1 + leaf % 3)
    }
    return sums
}

private func workers(_ n: Int) -> [WorkerIdentity] {
    var rng = SplitMix(state: 99)
    return (0..<n).map { _ in WorkerIdentity.random(using: &rng) }
}

/// Runs one step the way the coordinator would with `workerCount` workers that pre-add their
/// maximal subtrees, delivering results in a shuffled order.
private func aggregate(
    _ sums: [Int: SubtreeSum], tree: MicroShardTree, parameters: Int, workerCount: Int,
    shuffleSeed: UInt64
) -> SubtreeSum? {
    var planner = WorkPlanner(tree: tree)
    let plan = planner.planStep(workers: workers(workerCount))
    var results: [SubtreeSum] = []
    for (_, leaves) in plan {
        for subtree in tree.maximalSubtrees(of: leaves) {
            results.append(TreeReduction.preAdd(sums, subtree: subtree, tree: tree)!)
        }
    }
    var rng = SplitMix(state: shuffleSeed)
    results.shuffle(using: &rng)
    var aggregator = SyncStepAggregator(tree: tree, parameterCount: parameters)
    for r in results { #expect(aggregator.accept(r) == .accepted) }
    return aggregator.reduce()
}

@Suite struct SyncAggregationTests {
    @Test(arguments: [1, 5, 16, 13])
    func sumIsBitwiseIndependentOfWorkerCountAndArrivalOrder(leaves: Int) throws {
        let tree = try #require(MicroShardTree(leafCount: leaves))
        let sums = leafSums(leaves: leaves, parameters: 37, seed: UInt64(leaves))
        let reference = try #require(aggregate(sums, tree: tree, parameters: 37, workerCount: 1, shuffleSeed: 1))
        #expect(reference.count == sums.values.reduce(0) { $0 + $1.count })
        for workers in 1...6 {
            for shuffle in UInt64(2)...4 {
                let other = try #require(
                    aggregate(sums, tree: tree, parameters: 37, workerCount: workers, shuffleSeed: shuffle))
                #expect(other.gradient.map(\.bitPattern) == reference.gradient.map(\.bitPattern), "workers \(workers)")
                #expect(other.lossSum.bitPattern == reference.lossSum.bitPattern)
                #expect(other.count == reference.count)
            }
        }
    }

    @Test func lostWorkersLeavesAreRecomputedWithTheSameResult() throws {
        let tree = try #require(MicroShardTree(leafCount: 16))
        let sums = leafSums(leaves: 16, parameters: 11, seed: 5)
        let reference = try #require(aggregate(sums, tree: tree, parameters: 11, workerCount: 1, shuffleSeed: 1))

        let pool = workers(3)
        var planner = WorkPlanner(tree: tree)
        let plan = planner.planStep(workers: pool)
        var aggregator = SyncStepAggregator(tree: tree, parameterCount: 11)
        // Workers 0 and 2 report; worker 1 dies before reporting.
        for worker in [pool[0], pool[2]] {
            for subtree in tree.maximalSubtrees(of: plan[worker]!) {
                #expect(aggregator.accept(TreeReduction.preAdd(sums, subtree: subtree, tree: tree)!) == .accepted)
                planner.received(subtree)
            }
        }
        #expect(!aggregator.isComplete)
        #expect(aggregator.missingLeaves == plan[pool[1]]!)
        let recovery = planner.reassign(from: pool[1], to: [pool[0], pool[2]])
        #expect(Set(recovery.values.flatMap { $0 }) == Set(plan[pool[1]]!))
        for (_, leaves) in recovery {
            for subtree in tree.maximalSubtrees(of: leaves) {
                #expect(aggregator.accept(TreeReduction.preAdd(sums, subtree: subtree, tree: tree)!) == .accepted)
            }
        }
        let result = try #require(aggregator.reduce())
        #expect(result.gradient.map(\.bitPattern) == reference.gradient.map(\.bitPattern))
        #expect(result.lossSum.bitPattern == reference.lossSum.bitPattern)
    }

    @Test func badResultsAreRefusedNotMerged() throws {
        let tree = try #require(MicroShardTree(leafCount: 8))
        let sums = leafSums(leaves: 8, parameters: 4, seed: 9)
        var aggregator = SyncStepAggregator(tree: tree, parameterCount: 4)
        #expect(
            aggregator.accept(SubtreeSum(leaves: 1..<3, gradient: [0, 0, 0, 0], lossSum: 0, count: 1)) == .notASubtree)
        #expect(
            aggregator.accept(SubtreeSum(leaves: 0..<1, gradient: [0], lossSum: 0, count: 1))
                == .wrongLength(expected: 4, found: 1))
        #expect(aggregator.accept(TreeReduction.preAdd(sums, subtree: 0..<4, tree: tree)!) == .accepted)
        #expect(aggregator.accept(sums[2]!) == .overlapsReceived)
        #expect(aggregator.reduce() == nil)
        #expect(aggregator.missingLeaves == [4, 5, 6, 7])
    }

    @Test func moreWorkersThanLeavesLeavesSomeIdle() throws {
        let tree = try #require(MicroShardTree(leafCount: 2))
        var planner = WorkPlanner(tree: tree)
        let plan = planner.planStep(workers: workers(4))
        #expect(plan.count == 2)
        #expect(plan.values.map(\.count).sorted() == [1, 1])
    }
}

extension SubtreeSum: Equatable {
    public static func == (a: SubtreeSum, b: SubtreeSum) -> Bool {
        a.leaves == b.leaves && a.gradient.map(\.bitPattern) == b.gradient.map(\.bitPattern)
            && a.lossSum.bitPattern == b.lossSum.bitPattern && a.count == b.count
    }
}
