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

    public init(model: Model, examples: any ExampleSource, threads: Int = 1, localUpdate: LocalUpdateRule? = nil) {
        self.model = model
        self.examples = examples
        self.threads = threads
        self.localUpdate = localUpdate
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
        let d = examples.featureCount
        let rows = Int(shard.rowCount)
        var features = [Float](repeating: 0, count: rows * d)
        var labels = [Float](repeating: 0, count: rows)
        let start = Int(shard.rowStart)
        features.withUnsafeMutableBufferPointer { f in
            labels.withUnsafeMutableBufferPointer { l in
                if rows > 0 {
                    examples.gather(epoch: epoch, positions: start..<(start + rows), features: f.baseAddress!,
                                    labels: l.baseAddress!)
                }
            }
        }
        var gradient = [Float](repeating: 0, count: model.layout.count)
        let result = try model.accumulateGradient(parameters: parameters, features: features, labels: labels,
                                                  rows: rows, into: &gradient, threads: threads)
        let leaf = Int(shard.index)
        return SubtreeSum(leaves: leaf..<(leaf + 1), gradient: gradient, lossSum: result.lossSum, count: result.count)
    }
}
