import TrainingProtocol

/// A gradient sum over some micro-shards of one step, as a worker reports it.
package struct SubtreeSum: Sendable {
    /// The subtree's leaves (a node of the step's ``MicroShardTree``).
    package var leaves: Range<Int>
    /// Σ per-example gradients in the model's flat layout, as values or as the received frames
    /// (kept in the transport's buffers until the tree sum reads them).
    package var payload: FloatPayload
    /// Σ per-example losses.
    package var lossSum: Double
    /// Examples summed over.
    package var count: Int

    /// Σ per-example gradients as one array (a copy only when the sum is still in received frames).
    package var gradient: [Float] { payload.toArray() }

    package init(leaves: Range<Int>, gradient: [Float], lossSum: Double, count: Int) {
        self.init(leaves: leaves, payload: FloatPayload(gradient), lossSum: lossSum, count: count)
    }

    package init(leaves: Range<Int>, payload: FloatPayload, lossSum: Double, count: Int) {
        self.leaves = leaves
        self.payload = payload
        self.lossSum = lossSum
        self.count = count
    }
}
