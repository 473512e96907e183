import TrainingProtocol

/// A gradient sum over some micro-shards of one step, as a worker reports it.
public struct SubtreeSum: Sendable {
    /// The subtree's leaves (a node of the step's ``MicroShardTree``).
    public var leaves: Range<Int>
    /// Σ per-example gradients in the model's flat layout.
    public var gradient: [Float]
    /// Σ per-example losses.
    public var lossSum: Double
    /// Examples summed over.
    public var count: Int

    public init(leaves: Range<Int>, gradient: [Float], lossSum: Double, count: Int) {
        self.leaves = leaves
        self.gradient = gradient
        self.lossSum = lossSum
        self.count = count
    }
}

/// Collects one synchronous step's subtree sums and adds them along the fixed micro-shard tree.
///
/// Whatever the number of workers, the order results arrive in, or which worker recomputed a
/// lost micro-shard, ``reduce()`` performs the same floating-point additions in the same order,
/// so the step's gradient is bitwise the same. A plain value: no sockets, no clocks.
public struct SyncStepAggregator: Sendable {
    /// What happened to an offered result.
    public enum Outcome: Equatable, Sendable {
        case accepted
        /// The leaves are not a node of the tree.
        case notASubtree
        /// Some of the leaves were already received (a late duplicate from a removed worker).
        case overlapsReceived
        /// The gradient's length is not the model's parameter count.
        case wrongLength(expected: Int, found: Int)
    }

    public let tree: MicroShardTree
    public let parameterCount: Int
    private var received: [Range<Int>: SubtreeSum] = [:]
    private var covered: [Bool]

    /// An empty aggregator for a step with `tree`'s micro-shards and a model of `parameterCount`.
    public init(tree: MicroShardTree, parameterCount: Int) {
        self.tree = tree
        self.parameterCount = parameterCount
        covered = Array(repeating: false, count: tree.leafCount)
    }

    /// Offers a worker's result; only whole, new subtrees of the right size are kept.
    public mutating func accept(_ sum: SubtreeSum) -> Outcome {
        guard tree.isSubtree(sum.leaves) else { return .notASubtree }
        guard sum.gradient.count == parameterCount else {
            return .wrongLength(expected: parameterCount, found: sum.gradient.count)
        }
        guard !sum.leaves.contains(where: { covered[$0] }) else { return .overlapsReceived }
        for leaf in sum.leaves { covered[leaf] = true }
        received[sum.leaves] = sum
        return .accepted
    }

    /// True when every micro-shard has been received.
    public var isComplete: Bool { !covered.contains(false) }

    /// Leaves not received yet, in order.
    public var missingLeaves: [Int] { covered.indices.filter { !covered[$0] } }

    /// The step's gradient sum, loss sum and example count, added along the tree; nil until
    /// ``isComplete``. Complexity: O(parameters · nodes).
    public func reduce() -> SubtreeSum? {
        guard isComplete else { return nil }
        let root = tree.root
        let total = tree.sum(root, known: { node -> SubtreeSum? in received[node] }, add: Self.add)
        return total.map { SubtreeSum(leaves: root, gradient: $0.gradient, lossSum: $0.lossSum, count: $0.count) }
    }

    /// left + right, element by element, in that order (the order is part of the contract).
    static func add(_ left: SubtreeSum, _ right: SubtreeSum) -> SubtreeSum {
        // One pass into a new buffer (left's storage is shared with the aggregator).
        let count = left.gradient.count
        let gradient = [Float](unsafeUninitializedCapacity: count) { g, initialized in
            left.gradient.withUnsafeBufferPointer { l in
                right.gradient.withUnsafeBufferPointer { r in
                    for i in 0..<count { g[i] = l[i] + r[i] }
                }
            }
            initialized = count
        }
        return SubtreeSum(
            leaves: left.leaves.lowerBound..<right.leaves.upperBound, gradient: gradient,
            lossSum: left.lossSum + right.lossSum, count: left.count + right.count)
    }

    /// Adds the given leaf sums along `tree` the same way ``reduce()`` does: what a worker owning
    /// `subtree` computes before sending it. Every leaf of `subtree` must be present.
    public static func preAdd(_ leafSums: [Int: SubtreeSum], subtree: Range<Int>, tree: MicroShardTree) -> SubtreeSum? {
        tree.sum(subtree, known: { node in node.count == 1 ? leafSums[node.lowerBound] : nil }, add: add)
    }
}
