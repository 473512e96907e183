/// A piece of work over a stored dataset: its digest and a row range. Readable without touching
/// the rest of `data.bin` (see ``DatasetVersion/withRows(_:_:)``).
package struct Shard: Sendable, Codable, Hashable {
    package var digest: String
    package var rows: Range<Int>

    package init(digest: String, rows: Range<Int>) {
        self.digest = digest
        self.rows = rows
    }

    /// `count` contiguous shards covering `0..<rowCount`, sizes differing by at most one row
    /// (the first `rowCount % count` shards get the extra row). Deterministic.
    package static func partition(digest: String, rowCount: Int, count: Int) -> [Shard] {
        precondition(count > 0, "shard count must be positive")
        let base = rowCount / count
        let extra = rowCount % count
        var start = 0
        return (0..<count).map { i in
            let size = base + (i < extra ? 1 : 0)
            defer { start += size }
            return Shard(digest: digest, rows: start..<(start + size))
        }
    }
}

extension DatasetVersion {
    /// Calls `body` with the zero-copy slices of `shard`. Precondition: the shard's digest is
    /// this version's and its rows are in range.
    package func withShard(_ shard: Shard, _ body: (RowSlice) throws -> Void) rethrows {
        precondition(shard.digest == digest, "shard of \(shard.digest) read from \(digest)")
        try withRows(shard.rows, body)
    }
}
