import Datasets
import Foundation

/// The training rows of a stored dataset version, in each epoch's order, with the job's fitted
/// transforms applied: what workers (and the coordinator's evaluation) read.
///
/// Rows are read from the memory-mapped version file. Each epoch's order is computed once and
/// cached as dataset row indices (the training rows shuffled for the epoch), so a mini-batch's
/// indices are a contiguous slice of it.
package final class DatasetExamples: ExampleSource, @unchecked Sendable {
    package let version: DatasetVersion
    /// Dataset row indices of the training split, ascending.
    package let rows: [Int]
    package let transforms: FittedTransforms?
    package let seed: UInt64
    private let lock = NSLock()
    private var cachedEpoch = -1
    /// Dataset row index of each position of `cachedEpoch`'s order.
    private var cachedRows: [Int] = []

    package init(version: DatasetVersion, rows: [Int], transforms: FittedTransforms?, seed: UInt64) {
        self.version = version
        self.rows = rows
        self.transforms = transforms
        self.seed = seed
    }

    package var featureCount: Int { version.featureCount }
    package var exampleCount: Int { rows.count }

    /// The dataset rows of `epoch` in order: `rows[EpochOrder.permutation(…)[p]]` at position p,
    /// computed by shuffling `rows` itself (the shuffle's swaps do not depend on the values).
    private func orderedRows(epoch: Int) -> [Int] {
        lock.withLock {
            if cachedEpoch != epoch {
                var shuffled = rows
                EpochOrder.shuffle(&shuffled, seed: seed, epoch: epoch)
                cachedRows = shuffled
                cachedEpoch = epoch
            }
            return cachedRows
        }
    }

    package func gather(
        epoch: Int, positions: Range<Int>, features: UnsafeMutablePointer<Float>,
        labels: UnsafeMutablePointer<Float>
    ) {
        let ordered = orderedRows(epoch: epoch)
        ordered.withUnsafeBufferPointer {
            version.gatherRows(UnsafeBufferPointer(rebasing: $0[positions]), features: features, labels: labels)
        }
        transforms?.apply(rows: UnsafeMutableBufferPointer(start: features, count: positions.count * featureCount))
    }

    /// All rows of `indices` (e.g. the validation split) as arrays, transformed.
    package static func materialize(_ version: DatasetVersion, rows indices: [Int], transforms: FittedTransforms?)
        -> (features: [Float], labels: [Float])
    {
        var features = [Float](repeating: 0, count: indices.count * version.featureCount)
        var labels = [Float](repeating: 0, count: indices.count)
        features.withUnsafeMutableBufferPointer { f in
            labels.withUnsafeMutableBufferPointer { l in
                if !indices.isEmpty { version.gatherRows(indices, features: f.baseAddress!, labels: l.baseAddress!) }
            }
            transforms?.apply(rows: f)
        }
        return (features, labels)
    }
}
