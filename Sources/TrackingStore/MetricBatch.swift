import Foundation
import GRDB
import GRDBSQLite

/// One `logMetrics` call inside its write transaction: resolves run ids, numbers each point
/// within its series, inserts the rows and moves the series summaries forward.
struct MetricBatch {
    /// A (run, key) series touched by the batch.
    struct Series {
        var seq: Int64
        var key: String
        /// The interned key (`metric_key.id`).
        var keyID: Int64 = 0
        /// Points stored before this batch (the first new point's ordinal).
        var base: Int64 = 0
        /// Points of the batch in this series.
        var count: Int64 = 0
        /// Index in `points` of the series' new last point.
        var last: Int
    }

    /// Points per multi-row `INSERT` (6 parameters each, well under SQLite's 32,766 limit).
    static let rowsPerStatement = 200

    let points: [MetricPoint]
    private(set) var series: [Series] = []
    /// For each point, its index in `series`.
    private var seriesOfPoint: [Int] = []

    /// Groups the points by series (a batch touches few, so a linear search with a rotating
    /// hint beats hashing every key) and reads each series' point count.
    /// - Throws: `notFound` for an unknown run id.
    init(_ db: Database, _ points: [MetricPoint]) throws {
        self.points = points
        seriesOfPoint.reserveCapacity(points.count)
        var runIDs: [String] = []
        var runSeqs: [Int64] = []
        var hint = 0
        for (index, point) in points.enumerated() {
            let seq: Int64
            if let last = runIDs.last, last == point.runID {
                seq = runSeqs[runSeqs.count - 1]
            } else if let known = runIDs.firstIndex(of: point.runID) {
                seq = runSeqs[known]
            } else {
                seq = try RunLookup.seq(db, point.runID)
                runIDs.append(point.runID)
                runSeqs.append(seq)
            }
            var found = -1
            for offset in 0..<series.count {
                let candidate = (hint + offset) % series.count
                if series[candidate].seq == seq && series[candidate].key == point.key {
                    found = candidate
                    break
                }
            }
            if found < 0 {
                series.append(Series(seq: seq, key: point.key, last: index))
                found = series.count - 1
            } else if points[series[found].last].step <= point.step {
                series[found].last = index
            }
            series[found].count += 1
            seriesOfPoint.append(found)
            hint = (found + 1) % series.count
        }
        let countStatement = try db.cachedStatement(
            sql: "SELECT points FROM latest_metric WHERE run_seq = ? AND key = ?")
        let internStatement = try db.cachedStatement(sql: "INSERT OR IGNORE INTO metric_key (name) VALUES (?)")
        let keyStatement = try db.cachedStatement(sql: "SELECT id FROM metric_key WHERE name = ?")
        var keyIDs: [String: Int64] = [:]
        for index in series.indices {
            let key = series[index].key
            series[index].base = try Int64.fetchOne(countStatement, arguments: [series[index].seq, key]) ?? 0
            if let known = keyIDs[key] {
                series[index].keyID = known
            } else {
                try internStatement.execute(arguments: [key])
                guard let id = try Int64.fetchOne(keyStatement, arguments: [key]) else {
                    throw TrackingError.conflict("metric key '\(key)' could not be interned")
                }
                keyIDs[key] = id
                series[index].keyID = id
            }
        }
    }

    /// Inserts every point. Values are bound straight through the SQLite C API: building GRDB
    /// `StatementArguments` for thousands of values per batch costs more than SQLite's own work.
    func insertRows(_ db: Database) throws {
        var next = series.map(\.base)
        var start = 0
        while start < points.count {
            let count = min(Self.rowsPerStatement, points.count - start)
            let statement = try db.cachedStatement(sql: Self.insertSQL(rows: count))
            statement.setUncheckedArguments(StatementArguments())
            let handle = statement.sqliteStatement
            var parameter: Int32 = 1
            for index in start..<(start + count) {
                let point = points[index]
                let seriesIndex = seriesOfPoint[index]
                sqlite3_bind_int64(handle, parameter, series[seriesIndex].seq)
                sqlite3_bind_int64(handle, parameter + 1, series[seriesIndex].keyID)
                sqlite3_bind_int64(handle, parameter + 2, Int64(point.step))
                sqlite3_bind_int64(handle, parameter + 3, next[seriesIndex])
                next[seriesIndex] += 1
                if point.value.isNaN {
                    sqlite3_bind_null(handle, parameter + 4)
                } else {
                    sqlite3_bind_double(handle, parameter + 4, point.value)
                }
                sqlite3_bind_double(handle, parameter + 5, point.timestamp.timeIntervalSince1970)
                parameter += 6
            }
            try statement.execute()
            start += count
        }
    }

    /// Adds the batch to each series' summary: the point count always, the last value when the
    /// batch reached the series' highest step.
    func updateLatest(_ db: Database) throws {
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO latest_metric (run_seq, key, step, value, timestamp, points) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (run_seq, key) DO UPDATE SET
                    value = CASE WHEN excluded.step >= latest_metric.step THEN excluded.value ELSE latest_metric.value END,
                    timestamp = CASE WHEN excluded.step >= latest_metric.step
                        THEN excluded.timestamp ELSE latest_metric.timestamp END,
                    step = MAX(excluded.step, latest_metric.step),
                    points = latest_metric.points + excluded.points
                """)
        for entry in series {
            let point = points[entry.last]
            let value: Double? = point.value.isNaN ? nil : point.value
            try upsert.execute(arguments: [
                entry.seq, entry.key, point.step, value, point.timestamp.timeIntervalSince1970, entry.count,
            ])
        }
    }

    private static func insertSQL(rows: Int) -> String {
        rows == rowsPerStatement ? fullInsertSQL : makeInsertSQL(rows: rows)
    }

    /// The statement text for a full chunk, built once.
    private static let fullInsertSQL = makeInsertSQL(rows: rowsPerStatement)

    private static func makeInsertSQL(rows: Int) -> String {
        "INSERT INTO metric (run_seq, key_id, step, ordinal, value, timestamp) VALUES "
            + Array(repeating: "(?,?,?,?,?,?)", count: rows).joined(separator: ",")
    }
}
