/// Where each step's examples come from: epochs, global batches and their micro-shards.
///
/// Rows are positions in the epoch's example order (a permutation of the training rows fixed by
/// the seed and the epoch); a micro-shard is a contiguous run of those positions. Every process
/// computes the same schedule from the same numbers. A plain value; O(1) per query.
package struct BatchSchedule: Sendable, Equatable {
    /// Training examples per epoch.
    package let rows: Int
    /// Global batch size (the last batch of an epoch may be smaller).
    package let batchSize: Int
    /// Micro-shards per global batch (fewer for a final batch with fewer rows).
    package let microShards: Int

    package init(rows: Int, batchSize: Int, microShards: Int) {
        precondition(rows > 0 && batchSize > 0 && microShards > 0, "schedule sizes must be positive")
        self.rows = rows
        self.batchSize = batchSize
        self.microShards = microShards
    }

    /// Steps in one epoch (the last one may be a partial batch).
    package var stepsPerEpoch: Int { (rows + batchSize - 1) / batchSize }

    /// The epoch and batch-within-epoch of a global step (0-based).
    package func position(ofStep step: Int) -> (epoch: Int, batch: Int) {
        (step / stepsPerEpoch, step % stepsPerEpoch)
    }

    /// The positions of a batch within its epoch's order.
    package func batchRows(_ batch: Int) -> Range<Int> {
        let start = batch * batchSize
        return start..<min(start + batchSize, rows)
    }

    /// Micro-shards of a batch (never more than its rows).
    package func leafCount(ofBatch batch: Int) -> Int { min(microShards, batchRows(batch).count) }

    /// The positions of micro-shard `leaf` of `batch`: contiguous, sizes differing by at most one.
    package func leafRows(batch: Int, leaf: Int) -> Range<Int> {
        let range = batchRows(batch)
        let leaves = leafCount(ofBatch: batch)
        let n = range.count
        return (range.lowerBound + leaf * n / leaves)..<(range.lowerBound + (leaf + 1) * n / leaves)
    }
}
