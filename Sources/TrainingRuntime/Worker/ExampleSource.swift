import Datasets

/// Training examples in each epoch's order, ready for the model (transforms applied).
///
/// Positions refer to the epoch's order: a permutation of the training rows fixed by the job's
/// seed and the epoch (`Datasets.EpochOrder`). Every worker and the coordinator derive the same order.
package protocol ExampleSource: Sendable {
    /// Features per example.
    var featureCount: Int { get }
    /// Training examples per epoch.
    var exampleCount: Int { get }
    /// Copies the examples at `positions` of `epoch`'s order: `positions.count × featureCount`
    /// features (row-major) and `positions.count` labels.
    func gather(
        epoch: Int, positions: Range<Int>, features: UnsafeMutablePointer<Float>,
        labels: UnsafeMutablePointer<Float>)
}

/// Examples held in memory (tests, small jobs): row-major features and labels.
package struct InMemoryExamples: ExampleSource {
    package let featureCount: Int
    package let features: [Float]
    package let labels: [Float]
    package let seed: UInt64
    package var exampleCount: Int { labels.count }

    package init(features: [Float], labels: [Float], featureCount: Int, seed: UInt64) {
        precondition(features.count == labels.count * featureCount, "features must be rows × featureCount")
        self.features = features
        self.labels = labels
        self.featureCount = featureCount
        self.seed = seed
    }

    package func gather(
        epoch: Int, positions: Range<Int>, features out: UnsafeMutablePointer<Float>,
        labels outLabels: UnsafeMutablePointer<Float>
    ) {
        let order = EpochOrder.permutation(count: exampleCount, seed: seed, epoch: epoch)
        for (k, position) in positions.enumerated() {
            let row = order[position]
            for j in 0..<featureCount { out[k * featureCount + j] = features[row * featureCount + j] }
            outLabels[k] = labels[row]
        }
    }
}
