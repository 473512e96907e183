import Datasets
import Foundation

/// The training rows of a stored dataset version, in each epoch's order, with the job's fitted
/// transforms applied: what workers (and the coordinator's evaluation) read.
///
/// Rows are read from the memory-mapped version file; the epoch's permutation is computed once
/// per epoch and cached.
public final class DatasetExamples: ExampleSource, @unchecked Sendable {
    public let version: DatasetVersion
    /// Dataset row indices of the training split, ascending.
    public let rows: [Int]
    public let transforms: FittedTransforms?
    public let seed: UInt64
    private let lock = NSLock()
    private var cachedEpoch = -1
    private var cachedOrder: [Int] = []

    public init(version: DatasetVersion, rows: [Int], transforms: FittedTransforms?, seed: UInt64) {
        self.version = version
        self.rows = rows
        self.transforms = transforms
        self.seed = seed
    }

    public var featureCount: Int { version.featureCount }
    public var exampleCount: Int { rows.count }

    private func order(epoch: Int) -> [Int] {
        lock.withLock {
            if cachedEpoch != epoch {
                cachedOrder = EpochOrder.permutation(count: rows.count, seed: seed, epoch: epoch)
                cachedEpoch = epoch
            }
            return cachedOrder
        }
    }

    public func gather(epoch: Int, positions: Range<Int>, features: UnsafeMutablePointer<Float>,
                       labels: UnsafeMutablePointer<Float>) {
        let order = order(epoch: epoch)
        var indices = [Int](repeating: 0, count: positions.count)
        rows.withUnsafeBufferPointer { rows in
            order.withUnsafeBufferPointer { order in
                for (k, position) in positions.enumerated() { indices[k] = rows[order[position]] }
            }
        }
        indices.withUnsafeBufferPointer { version.gatherRows($0, features: features, labels: labels) }
        transforms?.apply(rows: UnsafeMutableBufferPointer(start: features, count: positions.count * featureCount))
    }

    /// All rows of `indices` (e.g. the validation split) as arrays, transformed.
    public static func materialize(_ version: DatasetVersion, rows indices: [Int], transforms: FittedTransforms?)
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
