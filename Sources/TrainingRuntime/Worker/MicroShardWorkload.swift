import GradientCore
import TrainingProtocol

/// What a worker computes for an assignment: one gradient sum per maximal subtree of its
/// micro-shards, each added along the micro-shard tree exactly as the coordinator would.
public struct MicroShardWorkload: Sendable {
    public let model: Model
    public let examples: any ExampleSource
    /// Threads for the gradient kernels; results are bitwise the same for any count.
    public let threads: Int
    /// The job's optimizer and learning-rate schedule, for local-SGD rounds; nil when the job
    /// did not send them (then only gradients can be computed).
    public let localUpdate: LocalUpdateRule?

    /// Gathers the likely next rows between steps (nil: rows are read when assigned).
    public let prefetcher: BatchPrefetcher?

    public init(model: Model, examples: any ExampleSource, threads: Int = 1, localUpdate: LocalUpdateRule? = nil,
                prefetch: Bool = false) {
        self.model = model
        self.examples = examples
        self.threads = threads
        self.localUpdate = localUpdate
        prefetcher = prefetch ? BatchPrefetcher(examples: examples) : nil
    }

    /// The subtree sums for `assignment`, computed against `parameters`.
    /// - Throws: ``GradientCoreError`` (non-finite loss, bad labels).
    public func compute(_ assignment: WorkAssignment, parameters: [Float]) throws -> [SubtreeSum] {
        guard let tree = MicroShardTree(leafCount: Int(assignment.microShardsPerBatch)) else { return [] }
        var leafSums: [Int: SubtreeSum] = [:]
        for shard in assignment.microShards {
            leafSums[Int(shard.index)] = try gradientSum(of: shard, epoch: Int(assignment.epoch), parameters: parameters)
        }
        return tree.maximalSubtrees(of: assignment.microShards.map { Int($0.index) }).compactMap {
            SyncStepAggregator.preAdd(leafSums, subtree: $0, tree: tree)
        }
    }

    /// The gradient sum, loss sum and example count of one micro-shard's rows, in row order.
    func gradientSum(of shard: MicroShard, epoch: Int, parameters: [Float]) throws -> SubtreeSum {
        let rows = Int(shard.rowCount)
        let start = Int(shard.rowStart)
        let (features, labels) = prefetcher?.take(shard, epoch: epoch)
            ?? BatchPrefetcher.gather(examples, epoch: epoch, rows: start..<(start + rows))
        var gradient = [Float](repeating: 0, count: model.layout.count)
        let result = try model.accumulateGradient(parameters: parameters, features: features, labels: labels,
                                                  rows: rows, into: &gradient, threads: threads)
        let leaf = Int(shard.index)
        return SubtreeSum(leaves: leaf..<(leaf + 1), gradient: gradient, lossSum: result.lossSum, count: result.count)
    }
}
