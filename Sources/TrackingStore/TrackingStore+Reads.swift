import Foundation
import GRDB

extension TrackingStore {
    /// Runs matching `query`, in its order, each with its params, tags and last metric values.
    ///
    /// The filter and sort run in SQL over indexes (10,000 runs filter and sort in a few
    /// milliseconds); params, tags and metrics are then loaded for the returned runs only.
    /// - Throws: `notFound` for an unknown experiment or parent run.
    package func listRuns(_ query: RunQuery = RunQuery()) throws -> [RunSummary] {
        try pool.read { db in
            let experimentID = try query.experiment.map { try Self.experimentID(db, $0, create: false) }
            let parentSeq = try query.parentRunID.map { try RunLookup.seq(db, try RunLookup.resolve(db, $0)) }
            let sql = RunQuerySQL(query, experimentID: experimentID, parentSeq: parentSeq)
            var statement = sql.selectSQL
            var arguments = sql.arguments + sql.orderArguments
            if let limit = query.limit {
                statement += " LIMIT ?"
                arguments += [max(0, limit)]
            }
            var seqs: [Int64] = []
            var summaries: [RunSummary] = []
            for row in try Row.fetchAll(db, sql: statement, arguments: arguments) {
                seqs.append(row[0])
                let endTime: Double? = row[6]
                summaries.append(
                    RunSummary(
                        id: row[1], experiment: row[2], name: row[3],
                        status: RunStatus(rawValue: row[4]) ?? .failed,
                        startTime: Date(timeIntervalSince1970: row[5]),
                        endTime: endTime.map(Date.init(timeIntervalSince1970:)),
                        parentRunID: row[7], params: [:], metrics: [:], tags: [:]))
            }
            let index = Dictionary(uniqueKeysWithValues: seqs.enumerated().map { ($1, $0) })
            try Self.forEachKeyValue(db, table: "param", column: "value", seqs: seqs) { seq, key, value in
                summaries[index[seq]!].params[key] = String.fromDatabaseValue(value)
            }
            try Self.forEachKeyValue(db, table: "tag", column: "value", seqs: seqs) { seq, key, value in
                summaries[index[seq]!].tags[key] = String.fromDatabaseValue(value)
            }
            try Self.forEachKeyValue(db, table: "latest_metric", column: "value", seqs: seqs) { seq, key, value in
                summaries[index[seq]!].metrics[key] = Double.fromDatabaseValue(value) ?? .nan
            }
            return summaries
        }
    }

    /// Everything recorded about one run: attributes, params, tags, metric summaries, artifacts,
    /// datasets, child runs and the model versions made from it.
    /// - Parameter reference: full id, unique id prefix, or unique run name.
    /// - Throws: `notFound` with near matches, or `ambiguous`.
    package func run(_ reference: String) throws -> RunRecord {
        try pool.read { db in
            let id = try RunLookup.resolve(db, reference)
            let seq = try RunLookup.seq(db, id)
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT run.id, experiment.name, run.name, run.status, run.start_time, run.end_time,
                            run.config_json, run.code_revision, run.host,
                            (SELECT parent.id FROM run AS parent WHERE parent.seq = run.parent_seq),
                            run.final_params_sha256
                        FROM run JOIN experiment ON experiment.id = run.experiment_id WHERE run.seq = ?
                        """,
                    arguments: [seq])
            else { throw TrackingError.notFound(kind: "run", reference: reference, nearMatches: []) }
            let endTime: Double? = row[5]
            let pairs = { (table: String) in
                Dictionary(
                    try Row.fetchAll(db, sql: "SELECT key, value FROM \(table) WHERE run_seq = ?", arguments: [seq])
                        .map { (row: Row) -> (String, String) in (row[0], row[1]) },
                    uniquingKeysWith: { $1 })
            }
            let artifacts = try Row.fetchAll(
                db,
                sql: "SELECT kind, path, digest, size, created_at FROM artifact WHERE run_seq = ? ORDER BY id",
                arguments: [seq]
            ).map {
                ArtifactRecord(
                    kind: $0[0], path: $0[1], digest: $0[2], size: $0[3], createdAt: Date(timeIntervalSince1970: $0[4]))
            }
            let datasets = try Row.fetchAll(
                db,
                sql: """
                    SELECT rd.digest, rd.role, GROUP_CONCAT(dv.name, char(10)) FROM run_dataset rd
                    LEFT JOIN dataset_version dv ON dv.digest = rd.digest
                    WHERE rd.run_seq = ? GROUP BY rd.digest, rd.role ORDER BY rd.role, rd.digest
                    """,
                arguments: [seq]
            ).map { row -> RunDataset in
                let digest: String = row[0]
                let names = ((row[2] as String?) ?? "").split(separator: "\n").map { "\($0)@\(digest.prefix(12))" }
                return RunDataset(digest: digest, role: row[1], versions: names.sorted())
            }
            let children = try String.fetchAll(
                db, sql: "SELECT id FROM run WHERE parent_seq = ? ORDER BY start_time, seq", arguments: [seq])
            let versions = try Row.fetchAll(
                db,
                sql: """
                    SELECT registered_model.name, model_version.version FROM model_version
                    JOIN registered_model ON registered_model.id = model_version.model_id
                    WHERE model_version.source_run_seq = ? ORDER BY registered_model.name, model_version.version
                    """,
                arguments: [seq]
            ).map { "\($0[0] as String)/\($0[1] as Int)" }
            return RunRecord(
                id: row[0], experiment: row[1], name: row[2], status: RunStatus(rawValue: row[3]) ?? .failed,
                startTime: Date(timeIntervalSince1970: row[4]), endTime: endTime.map(Date.init(timeIntervalSince1970:)),
                configJSON: row[6], codeRevision: row[7], host: row[8], parentRunID: row[9],
                finalParamsSHA256: row[10], params: try pairs("param"), tags: try pairs("tag"),
                metrics: try Self.metricSummaries(db, seq: seq), artifacts: artifacts, datasets: datasets,
                childRunIDs: children, modelVersions: versions)
        }
    }

    /// Calls `body(seq, key, value)` for every row of `table` belonging to `seqs`, in chunks of 500.
    private static func forEachKeyValue(
        _ db: Database, table: String, column: String, seqs: [Int64],
        _ body: (Int64, String, DatabaseValue) -> Void
    ) throws {
        var start = 0
        while start < seqs.count {
            let chunk = Array(seqs[start..<min(start + 500, seqs.count)])
            start += chunk.count
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            let cursor = try Row.fetchCursor(
                db, sql: "SELECT run_seq, key, \(column) FROM \(table) WHERE run_seq IN (\(marks))",
                arguments: StatementArguments(chunk))
            while let row = try cursor.next() {
                body(row[0], row[1], row[2] as DatabaseValue)
            }
        }
    }
}
