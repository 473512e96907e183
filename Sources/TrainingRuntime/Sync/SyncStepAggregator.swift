import GradientCore
import TrainingProtocol

/// Collects one synchronous step's subtree sums and adds them along the fixed micro-shard tree
/// (``TreeReduction``, the same additions the workers make).
///
/// Whatever the number of workers, the order results arrive in, or which worker recomputed a
/// lost micro-shard, ``reduce()`` performs the same floating-point additions in the same order,
/// so the step's gradient is bitwise the same. A plain value: no sockets, no clocks.
package struct SyncStepAggregator: Sendable {
    /// What happened to an offered result.
    package enum Outcome: Equatable, Sendable {
        case accepted
        /// The leaves are not a node of the tree.
        case notASubtree
        /// Some of the leaves were already received (a late duplicate from a removed worker).
        case overlapsReceived
        /// The gradient's length is not the model's parameter count.
        case wrongLength(expected: Int, found: Int)
    }

    package let tree: MicroShardTree
    package let parameterCount: Int
    /// Threads for the additions of ``reduce()`` (large models only; the same bits for any count).
    package let threads: Int
    private var received: [Range<Int>: SubtreeSum] = [:]
    private var covered: [Bool]

    /// An empty aggregator for a step with `tree`'s micro-shards and a model of `parameterCount`.
    package init(tree: MicroShardTree, parameterCount: Int, threads: Int = 1) {
        self.tree = tree
        self.parameterCount = parameterCount
        self.threads = threads
        covered = Array(repeating: false, count: tree.leafCount)
    }

    /// Offers a worker's result; only whole, new subtrees of the right size are kept.
    package mutating func accept(_ sum: SubtreeSum) -> Outcome {
        guard tree.isSubtree(sum.leaves) else { return .notASubtree }
        guard sum.payload.count == parameterCount else {
            return .wrongLength(expected: parameterCount, found: sum.payload.count)
        }
        guard !sum.leaves.contains(where: { covered[$0] }) else { return .overlapsReceived }
        for leaf in sum.leaves { covered[leaf] = true }
        received[sum.leaves] = sum
        return .accepted
    }

    /// True when every micro-shard has been received.
    package var isComplete: Bool { !covered.contains(false) }

    /// Leaves not received yet, in order.
    package var missingLeaves: [Int] { covered.indices.filter { !covered[$0] } }

    /// The step's gradient sum, loss sum and example count, added along the tree; nil until
    /// ``isComplete``. Complexity: O(parameters · nodes).
    package func reduce() -> SubtreeSum? {
        guard isComplete else { return nil }
        let root = tree.root
        let threads = threads
        let total = TreeReduction.sum(root, tree: tree, known: { received[$0] }, threads: threads)
        return total.map { SubtreeSum(leaves: root, payload: $0.payload, lossSum: $0.lossSum, count: $0.count) }
    }
}
