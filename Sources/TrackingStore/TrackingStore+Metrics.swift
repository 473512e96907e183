import Foundation
import GRDB

extension TrackingStore {
    /// Appends a batch of metric points in one transaction: either the whole batch is stored or,
    /// on error or crash, none of it.
    ///
    /// Points may belong to several runs. Series are append-only; logging the same step twice keeps
    /// both points. The run's "last value" per key is the point with the highest step (the later
    /// one among equal steps). Rows go in through multi-row statements bound with the SQLite C
    /// API (see ``MetricBatch``); a few µs per point in a release build, most of it SQLite's
    /// B-tree and WAL work.
    /// - Throws: `notFound` for an unknown run id, `invalidArgument` for a malformed key.
    package func logMetrics(_ points: [MetricPoint]) throws {
        guard !points.isEmpty else { return }
        var validatedKeys: [String] = []
        for point in points where !validatedKeys.contains(point.key) {
            try Validation.key(point.key, field: "metric key")
            validatedKeys.append(point.key)
        }
        try pool.write { db in
            let batch = try MetricBatch(db, points)
            try batch.insertRows(db)
            try batch.updateLatest(db)
        }
    }

    /// Logs one metric point (a batch of one; prefer ``logMetrics(_:)`` for many points).
    package func logMetric(runID: String, key: String, step: Int, value: Double, timestamp: Date = Date()) throws {
        try logMetrics([MetricPoint(runID: runID, key: key, step: step, value: value, timestamp: timestamp)])
    }

    /// The series of `key` for a run, ordered by step then logging order.
    /// - Throws: `notFound` for an unknown run, or for a key the run never logged (listing its keys).
    package func metricSeries(runID: String, key: String) throws -> [MetricPoint] {
        try pool.read { db in
            let seq = try RunLookup.seq(db, runID)
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT step, value, timestamp FROM metric
                    WHERE run_seq = ? AND key_id = (SELECT id FROM metric_key WHERE name = ?) ORDER BY step, ordinal
                    """,
                arguments: [seq, key])
            var points: [MetricPoint] = []
            while let row = try rows.next() {
                let value: Double? = row[1]
                points.append(
                    MetricPoint(
                        runID: runID, key: key, step: row[0], value: value ?? .nan,
                        timestamp: Date(timeIntervalSince1970: row[2])))
            }
            if points.isEmpty {
                let keys = try String.fetchAll(
                    db, sql: "SELECT key FROM latest_metric WHERE run_seq = ? ORDER BY key", arguments: [seq])
                let near = NearMatches.rank(key, among: keys)
                throw TrackingError.notFound(
                    kind: "metric of run \(runID)", reference: key, nearMatches: near.isEmpty ? keys : near)
            }
            return points
        }
    }

    /// The number of points stored for a run (all keys, or one key). O(keys): read from the series summaries.
    package func metricCount(runID: String, key: String? = nil) throws -> Int {
        try pool.read { db in
            let seq = try RunLookup.seq(db, runID)
            if let key {
                return try Int.fetchOne(
                    db, sql: "SELECT points FROM latest_metric WHERE run_seq = ? AND key = ?", arguments: [seq, key])
                    ?? 0
            }
            return try Int.fetchOne(
                db, sql: "SELECT COALESCE(SUM(points), 0) FROM latest_metric WHERE run_seq = ?", arguments: [seq]) ?? 0
        }
    }

    /// Last, min, max and count per key for one run, sorted by key.
    static func metricSummaries(_ db: Database, seq: Int64) throws -> [MetricSummary] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT l.key, l.value, l.step, MIN(m.value), MAX(m.value), l.points
                FROM latest_metric l JOIN metric_key k ON k.name = l.key
                JOIN metric m ON m.run_seq = l.run_seq AND m.key_id = k.id
                WHERE l.run_seq = ? GROUP BY l.key ORDER BY l.key
                """,
            arguments: [seq]
        ).map { row in
            let last: Double? = row[1]
            return MetricSummary(
                key: row[0], last: last ?? .nan, lastStep: row[2], min: row[3], max: row[4], count: row[5])
        }
    }
}
