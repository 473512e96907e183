import GradientCore

/// Training examples in each epoch's order, ready for the model (transforms applied).
///
/// Positions refer to the epoch's order: a permutation of the training rows fixed by the job's
/// seed and the epoch (``EpochOrder``). Every worker and the coordinator derive the same order.
public protocol ExampleSource: Sendable {
    /// Features per example.
    var featureCount: Int { get }
    /// Training examples per epoch.
    var exampleCount: Int { get }
    /// Copies the examples at `positions` of `epoch`'s order: `positions.count × featureCount`
    /// features (row-major) and `positions.count` labels.
    func gather(epoch: Int, positions: Range<Int>, features: UnsafeMutablePointer<Float>,
                labels: UnsafeMutablePointer<Float>)
}

/// The order in which an epoch visits the training rows.
public enum EpochOrder {
    /// A permutation of `0..<count` fixed by `seed` and `epoch` (Fisher–Yates over a Philox
    /// stream), the same on every platform. Complexity: O(count).
    public static func permutation(count: Int, seed: UInt64, epoch: Int) -> [Int] {
        var order = Array(0..<count)
        var rng = Philox(seed: seed, stream: 0x5348_5546 &+ UInt64(epoch))
        if count > 1 {
            for i in stride(from: count - 1, to: 0, by: -1) {
                let j = Int(rng.next() % UInt64(i + 1))
                order.swapAt(i, j)
            }
        }
        return order
    }
}

/// Examples held in memory (tests, small jobs): row-major features and labels.
public struct InMemoryExamples: ExampleSource {
    public let featureCount: Int
    public let features: [Float]
    public let labels: [Float]
    public let seed: UInt64
    public var exampleCount: Int { labels.count }

    public init(features: [Float], labels: [Float], featureCount: Int, seed: UInt64) {
        precondition(features.count == labels.count * featureCount, "features must be rows × featureCount")
        self.features = features
        self.labels = labels
        self.featureCount = featureCount
        self.seed = seed
    }

    public func gather(epoch: Int, positions: Range<Int>, features out: UnsafeMutablePointer<Float>,
                       labels outLabels: UnsafeMutablePointer<Float>) {
        let order = EpochOrder.permutation(count: exampleCount, seed: seed, epoch: epoch)
        for (k, position) in positions.enumerated() {
            let row = order[position]
            for j in 0..<featureCount { out[k * featureCount + j] = features[row * featureCount + j] }
            outLabels[k] = labels[row]
        }
    }
}
