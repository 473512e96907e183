import GradientCore
import TrainingProtocol

/// A gradient sum over some micro-shards of one step, as a worker reports it.
public struct SubtreeSum: Sendable {
    /// The subtree's leaves (a node of the step's ``MicroShardTree``).
    public var leaves: Range<Int>
    /// Σ per-example gradients in the model's flat layout, as values or as the received frames
    /// (kept in the transport's buffers until the tree sum reads them).
    public var payload: FloatPayload
    /// Σ per-example losses.
    public var lossSum: Double
    /// Examples summed over.
    public var count: Int

    /// Σ per-example gradients as one array (a copy only when the sum is still in received frames).
    public var gradient: [Float] { payload.toArray() }

    public init(leaves: Range<Int>, gradient: [Float], lossSum: Double, count: Int) {
        self.init(leaves: leaves, payload: FloatPayload(gradient), lossSum: lossSum, count: count)
    }

    public init(leaves: Range<Int>, payload: FloatPayload, lossSum: Double, count: Int) {
        self.leaves = leaves
        self.payload = payload
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
    /// Threads for the additions of ``reduce()`` (large models only; the same bits for any count).
    public let threads: Int
    private var received: [Range<Int>: SubtreeSum] = [:]
    private var covered: [Bool]

    /// An empty aggregator for a step with `tree`'s micro-shards and a model of `parameterCount`.
    public init(tree: MicroShardTree, parameterCount: Int, threads: Int = 1) {
        self.tree = tree
        self.parameterCount = parameterCount
        self.threads = threads
        covered = Array(repeating: false, count: tree.leafCount)
    }

    /// Offers a worker's result; only whole, new subtrees of the right size are kept.
    public mutating func accept(_ sum: SubtreeSum) -> Outcome {
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
    public var isComplete: Bool { !covered.contains(false) }

    /// Leaves not received yet, in order.
    public var missingLeaves: [Int] { covered.indices.filter { !covered[$0] } }

    /// The step's gradient sum, loss sum and example count, added along the tree; nil until
    /// ``isComplete``. Complexity: O(parameters · nodes).
    public func reduce() -> SubtreeSum? {
        guard isComplete else { return nil }
        let root = tree.root
        let threads = threads
        let total = tree.sum(root, known: { node -> SubtreeSum? in received[node] }, add: { Self.add($0, $1, threads: threads) })
        return total.map { SubtreeSum(leaves: root, payload: $0.payload, lossSum: $0.lossSum, count: $0.count) }
    }

    /// left + right, element by element, in that order (the order is part of the contract).
    static func add(_ left: SubtreeSum, _ right: SubtreeSum, threads: Int = 1) -> SubtreeSum {
        precondition(left.payload.count == right.payload.count, "subtree sums of different lengths")
        let count = left.payload.count
        let gradient = [Float](unsafeUninitializedCapacity: count) { g, initialized in
            add(left, right, into: g, threads: threads)
            initialized = count
        }
        return SubtreeSum(
            leaves: left.leaves.lowerBound..<right.leaves.upperBound, gradient: gradient,
            lossSum: left.lossSum + right.lossSum, count: left.count + right.count)
    }

    /// left + right into `output` (which holds exactly as many elements), in one pass, frame by
    /// frame straight from received frames or shared-memory slots (both sides have the same
    /// length, so the same frame boundaries).
    static func add(_ left: SubtreeSum, _ right: SubtreeSum, into output: UnsafeMutableBufferPointer<Float>, threads: Int = 1) {
        precondition(left.payload.count == right.payload.count && output.count == left.payload.count, "subtree sums of different lengths")
        var start = 0
        for frame in 0..<left.payload.frameCount {
            left.payload.withElements(ofFrame: frame) { l in
                right.payload.withElements(ofFrame: frame) { r in
                    let out = output.baseAddress! + start
                    ElementwiseSplit.run(count: l.count, threads: threads) { range in
                        for i in range { out[i] = l[i] + r[i] }
                    }
                    start += l.count
                }
            }
        }
    }

    /// Adds the given leaf sums along `tree` the same way ``reduce()`` does: what a worker owning
    /// `subtree` computes before sending it. Every leaf of `subtree` must be present.
    public static func preAdd(_ leafSums: [Int: SubtreeSum], subtree: Range<Int>, tree: MicroShardTree) -> SubtreeSum? {
        tree.sum(subtree, known: { node in node.count == 1 ? leafSums[node.lowerBound] : nil }, add: { add($0, $1) })
    }
}
