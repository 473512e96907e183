import GradientCore
import TrainingProtocol

/// The fixed-order addition of subtree sums along a step's ``MicroShardTree``, shared by the
/// worker (which pre-adds the subtrees it owns) and the coordinator (``SyncStepAggregator``).
///
/// Both sides add the same nodes in the same order, left before right, element by element, so a
/// step's gradient is bitwise the same however its micro-shards were spread over workers.
enum TreeReduction {
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
    static func add(
        _ left: SubtreeSum, _ right: SubtreeSum, into output: UnsafeMutableBufferPointer<Float>, threads: Int = 1
    ) {
        precondition(
            left.payload.count == right.payload.count && output.count == left.payload.count,
            "subtree sums of different lengths")
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

    /// `subtree`'s sum from the sums of the nodes `known` gives, added along `tree` (nil when a
    /// needed node is missing).
    static func sum(_ subtree: Range<Int>, tree: MicroShardTree, known: (Range<Int>) -> SubtreeSum?, threads: Int = 1)
        -> SubtreeSum?
    {
        tree.sum(subtree, known: known, add: { add($0, $1, threads: threads) })
    }

    /// Adds the given leaf sums along `tree` the same way the coordinator adds received subtrees:
    /// what a worker owning `subtree` computes before sending it. Every leaf of `subtree` must be present.
    static func preAdd(_ leafSums: [Int: SubtreeSum], subtree: Range<Int>, tree: MicroShardTree) -> SubtreeSum? {
        sum(subtree, tree: tree, known: { node in node.count == 1 ? leafSums[node.lowerBound] : nil })
    }
}
