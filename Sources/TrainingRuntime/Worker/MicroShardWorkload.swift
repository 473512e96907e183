import GradientCore
import TrainingProtocol

/// What a worker computes for an assignment: one gradient sum per maximal subtree of its
/// micro-shards, each added along the micro-shard tree exactly as the coordinator would.
public struct MicroShardWorkload: Sendable {
    public let model: Model
    public let examples: any ExampleSource
    /// Threads for the gradient kernels; results are bitwise the same for any count.
    public let threads: Int

    public init(model: Model, examples: any ExampleSource, threads: Int = 1) {
        self.model = model
        self.examples = examples
        self.threads = threads
    }

    /// The subtree sums for `assignment`, computed against `parameters`.
    /// - Throws: ``GradientCoreError`` (non-finite loss, bad labels).
    public func compute(_ assignment: WorkAssignment, parameters: [Float]) throws -> [SubtreeSum] {
        guard let tree = MicroShardTree(leafCount: Int(assignment.microShardsPerBatch)) else { return [] }
        let d = examples.featureCount
        var leafSums: [Int: SubtreeSum] = [:]
        var features: [Float] = []
        var labels: [Float] = []
        for shard in assignment.microShards {
            let rows = Int(shard.rowCount)
            features = [Float](repeating: 0, count: rows * d)
            labels = [Float](repeating: 0, count: rows)
            let start = Int(shard.rowStart)
            features.withUnsafeMutableBufferPointer { f in
                labels.withUnsafeMutableBufferPointer { l in
                    examples.gather(epoch: Int(assignment.epoch), positions: start..<(start + rows),
                                    features: f.baseAddress!, labels: l.baseAddress!)
                }
            }
            var gradient = [Float](repeating: 0, count: model.layout.count)
            let result = try model.accumulateGradient(parameters: parameters, features: features, labels: labels,
                                                      rows: rows, into: &gradient, threads: threads)
            let leaf = Int(shard.index)
            leafSums[leaf] = SubtreeSum(leaves: leaf..<(leaf + 1), gradient: gradient,
                                        lossSum: result.lossSum, count: result.count)
        }
        return tree.maximalSubtrees(of: assignment.microShards.map { Int($0.index) }).compactMap {
            SyncStepAggregator.preAdd(leafSums, subtree: $0, tree: tree)
        }
    }
}
