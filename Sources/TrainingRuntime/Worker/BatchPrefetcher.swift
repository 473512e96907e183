import TrainingProtocol

/// Gathers the rows a worker will most likely be assigned next while it waits for the next step,
/// so the random-access row reads overlap the coordinator's aggregation and broadcast instead of
/// adding to the step.
///
/// The guess: in a steady run each micro-shard index moves on by the same number of positions
/// every step (the global batch), so a shard seen at `rowStart` twice in a row, `stride` apart,
/// comes next at `rowStart + stride`. A wrong guess (an epoch boundary, a membership change,
/// another mode) only costs the wasted gather: the rows are then read as usual. Rows are the
/// same bits either way, so results never depend on whether the guess was right.
package final class BatchPrefetcher: @unchecked Sendable {
    struct Key: Hashable {
        let epoch: Int
        let rowStart: Int
        let rowCount: Int
    }

    private let examples: any ExampleSource
    /// The last assignment's micro-shards by leaf index: (epoch, rowStart).
    private var last: [UInt32: (epoch: Int, rowStart: Int)] = [:]
    private var stride: [UInt32: Int] = [:]
    /// Rows gathered ahead, by leaf index (at most one batch in all).
    private var ready: [UInt32: (key: Key, features: [Float], labels: [Float])] = [:]
    /// Guesses that were used / gathered (for tests and logs).
    package private(set) var hits = 0
    package private(set) var gathered = 0

    package init(examples: any ExampleSource) {
        self.examples = examples
    }

    /// The rows of `shard` if they were gathered ahead; removes them from the cache.
    func take(_ shard: MicroShard, epoch: Int) -> (features: [Float], labels: [Float])? {
        let key = Key(epoch: epoch, rowStart: Int(shard.rowStart), rowCount: Int(shard.rowCount))
        guard let rows = ready.removeValue(forKey: shard.index), rows.key == key else { return nil }
        hits += 1
        return (rows.features, rows.labels)
    }

    /// Notes `assignment`'s shards and gathers the rows the next step's shards will most likely
    /// cover (those within the epoch's rows), replacing what was gathered earlier for those leaves.
    package func prefetch(after assignment: WorkAssignment) {
        let epoch = Int(assignment.epoch)
        for shard in assignment.microShards {
            let start = Int(shard.rowStart)
            if let previous = last[shard.index], previous.epoch == epoch, start > previous.rowStart {
                stride[shard.index] = start - previous.rowStart
            }
            last[shard.index] = (epoch, start)
            guard let step = stride[shard.index], shard.rowCount > 0 else { continue }
            let next = start + step
            let count = Int(shard.rowCount)
            guard next + count <= examples.exampleCount else { continue }
            let rows = Self.gather(examples, epoch: epoch, rows: next..<(next + count))
            ready[shard.index] = (Key(epoch: epoch, rowStart: next, rowCount: count), rows.features, rows.labels)
            gathered += 1
        }
    }

    /// The rows at `rows` positions of `epoch`'s order, as feature and label arrays.
    static func gather(_ examples: any ExampleSource, epoch: Int, rows: Range<Int>) -> (
        features: [Float], labels: [Float]
    ) {
        guard !rows.isEmpty else { return ([], []) }
        // Uninitialized: the gather writes every element (no 1 MB memset per step).
        var labels: [Float] = []
        let features = [Float](unsafeUninitializedCapacity: rows.count * examples.featureCount) { f, filled in
            labels = [Float](unsafeUninitializedCapacity: rows.count) { l, labelled in
                examples.gather(epoch: epoch, positions: rows, features: f.baseAddress!, labels: l.baseAddress!)
                labelled = rows.count
            }
            filled = rows.count * examples.featureCount
        }
        return (features, labels)
    }
}
