import GradientCore
import TrainingProtocol

/// What a worker computes for an assignment: one gradient sum per maximal subtree of its
/// micro-shards, each added along the micro-shard tree exactly as the coordinator would.
package struct MicroShardWorkload: Sendable {
    package let model: Model
    package let examples: any ExampleSource
    /// Threads for the gradient kernels; results are bitwise the same for any count.
    package let threads: Int
    /// The job's optimizer and learning-rate schedule, for local-SGD rounds; nil when the job
    /// did not send them (then only gradients can be computed).
    package let localUpdate: LocalUpdateRule?

    /// Gathers the likely next rows between steps (nil: rows are read when assigned).
    package let prefetcher: BatchPrefetcher?

    package init(
        model: Model, examples: any ExampleSource, threads: Int = 1, localUpdate: LocalUpdateRule? = nil,
        prefetch: Bool = false
    ) {
        self.model = model
        self.examples = examples
        self.threads = threads
        self.localUpdate = localUpdate
        prefetcher = prefetch ? BatchPrefetcher(examples: examples) : nil
    }

    /// The subtree sums for `assignment`, computed against `parameters`.
    /// - Throws: ``GradientCoreError`` (non-finite loss, bad labels).
    package func compute(_ assignment: WorkAssignment, parameters: [Float]) throws -> [SubtreeSum] {
        try parameters.withUnsafeBufferPointer { try compute(assignment, parameters: $0, output: { _ in nil }) }
    }

    /// The subtree sums for `assignment`, computed against `parameters` (e.g. a shared-memory
    /// mapping). `output(subtree)` may give memory to write that subtree's sum into (a shared
    /// gradient slot): the returned sum then holds ``FloatPayload/notCarried(count:)`` and its
    /// values are in that memory. The bits are the same either way.
    /// - Throws: ``GradientCoreError`` (non-finite loss, bad labels).
    package func compute(
        _ assignment: WorkAssignment, parameters: UnsafeBufferPointer<Float>,
        output: (Range<Int>) -> UnsafeMutableBufferPointer<Float>?
    ) throws -> [SubtreeSum] {
        guard let tree = MicroShardTree(leafCount: Int(assignment.microShardsPerBatch)) else { return [] }
        let shards = Dictionary(
            assignment.microShards.map { (Int($0.index), $0) }, uniquingKeysWith: { first, _ in first })
        let epoch = Int(assignment.epoch)
        return try tree.maximalSubtrees(of: assignment.microShards.map { Int($0.index) }).compactMap { subtree in
            let target = output(subtree)
            if subtree.count == 1, let shard = shards[subtree.lowerBound] {
                guard let target else { return try gradientSum(of: shard, epoch: epoch, parameters: parameters) }
                target.update(repeating: 0)
                return try gradientSum(of: shard, epoch: epoch, parameters: parameters, into: target)
            }
            var leafSums: [Int: SubtreeSum] = [:]
            for leaf in subtree {
                guard let shard = shards[leaf] else { return nil }
                leafSums[leaf] = try gradientSum(of: shard, epoch: epoch, parameters: parameters)
            }
            guard let target, let (left, right) = tree.children(of: subtree),
                let l = TreeReduction.preAdd(leafSums, subtree: left, tree: tree),
                let r = TreeReduction.preAdd(leafSums, subtree: right, tree: tree)
            else {
                return TreeReduction.preAdd(leafSums, subtree: subtree, tree: tree)
            }
            // The subtree's last addition, written straight into the output.
            TreeReduction.add(l, r, into: target)
            return SubtreeSum(
                leaves: subtree, payload: .notCarried(count: target.count), lossSum: l.lossSum + r.lossSum,
                count: l.count + r.count)
        }
    }

    /// The gradient sum, loss sum and example count of one micro-shard's rows, in row order.
    func gradientSum(of shard: MicroShard, epoch: Int, parameters: [Float]) throws -> SubtreeSum {
        try parameters.withUnsafeBufferPointer { try gradientSum(of: shard, epoch: epoch, parameters: $0) }
    }

    func gradientSum(of shard: MicroShard, epoch: Int, parameters: UnsafeBufferPointer<Float>) throws -> SubtreeSum {
        var gradient = [Float](repeating: 0, count: model.layout.count)
        var sum = try gradient.withUnsafeMutableBufferPointer {
            try gradientSum(of: shard, epoch: epoch, parameters: parameters, into: $0)
        }
        sum.payload = FloatPayload(gradient)
        return sum
    }

    /// Adds one micro-shard's gradient sum to `gradient` (zeros for the sum alone); the returned
    /// sum's payload is not carried (the values are in `gradient`).
    func gradientSum(
        of shard: MicroShard, epoch: Int, parameters: UnsafeBufferPointer<Float>,
        into gradient: UnsafeMutableBufferPointer<Float>
    ) throws -> SubtreeSum {
        let rows = Int(shard.rowCount)
        let start = Int(shard.rowStart)
        let (features, labels) =
            prefetcher?.take(shard, epoch: epoch)
            ?? BatchPrefetcher.gather(examples, epoch: epoch, rows: start..<(start + rows))
        let result = try features.withUnsafeBufferPointer { x in
            try labels.withUnsafeBufferPointer { y in
                try model.accumulateGradient(
                    parameters: parameters, features: x, labels: y, rows: rows, into: gradient, threads: threads)
            }
        }
        let leaf = Int(shard.index)
        return SubtreeSum(
            leaves: leaf..<(leaf + 1), payload: .notCarried(count: gradient.count), lossSum: result.lossSum,
            count: result.count)
    }
}
