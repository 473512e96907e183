import Foundation
import GRDB

extension TrackingStore {
    /// Returns the experiment named `name`, creating it if needed (idempotent).
    /// - Throws: `invalidArgument` for a malformed name.
    @discardableResult
    package func createExperiment(_ name: String) throws -> ExperimentRecord {
        try Validation.name(name, field: "experiment name")
        return try pool.write { db in
            _ = try Self.experimentID(db, name, create: true)
            return try Self.experiment(db, name)
        }
    }

    /// Every experiment, by name.
    package func experiments() throws -> [ExperimentRecord] {
        try pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT experiment.name, experiment.created_at, COUNT(run.seq) FROM experiment
                    LEFT JOIN run ON run.experiment_id = experiment.id
                    GROUP BY experiment.id ORDER BY experiment.name
                    """
            ).map { ExperimentRecord(name: $0[0], createdAt: Date(timeIntervalSince1970: $0[1]), runCount: $0[2]) }
        }
    }

    /// Starts a run in `experiment` (created if missing) and returns its new id.
    ///
    /// - Parameters:
    ///   - configJSON: the full resolved job configuration; must be valid JSON.
    ///   - parentRunID: the sweep run this is a trial of (full id or unique prefix).
    /// - Throws: `invalidArgument` for malformed input, `notFound` for an unknown parent.
    package func startRun(
        experiment: String, name: String? = nil, configJSON: String = "{}", codeRevision: String? = nil,
        host: String? = nil, parentRunID: String? = nil, status: RunStatus = .running,
        startTime: Date = Date()
    ) throws -> String {
        try Validation.name(experiment, field: "experiment name")
        if let name { try Validation.key(name, field: "run name") }
        guard (try? JSONSerialization.jsonObject(with: Data(configJSON.utf8), options: [.fragmentsAllowed])) != nil
        else {
            throw TrackingError.invalidArgument(
                field: "run config", value: String(configJSON.prefix(60)), reason: "expected valid JSON")
        }
        return try pool.write { db in
            let experimentID = try Self.experimentID(db, experiment, create: true)
            let parentSeq = try parentRunID.map { try RunLookup.seq(db, try RunLookup.resolve(db, $0)) }
            for _ in 0..<100 {
                let id = RunID.make(at: startTime)
                if try Int64.fetchOne(db, sql: "SELECT seq FROM run WHERE id = ?", arguments: [id]) != nil {
                    continue
                }
                try db.execute(
                    sql: """
                        INSERT INTO run (id, experiment_id, name, status, start_time, config_json,
                            code_revision, host, parent_seq)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        id, experimentID, name, status.rawValue, startTime.timeIntervalSince1970, configJSON,
                        codeRevision, host, parentSeq,
                    ])
                return id
            }
            throw TrackingError.conflict("could not allocate a unique run id (65536 runs started this second)")
        }
    }

    /// Ends a run: sets its status, end time and final fields.
    ///
    /// - Parameter finalParamsSHA256: SHA-256 of the final parameter bytes (64 lowercase hex), if any.
    /// - Throws: `notFound` for an unknown run, `invalidArgument` for a malformed digest.
    package func finishRun(
        _ runID: String, status: RunStatus = .finished, endTime: Date = Date(), finalParamsSHA256: String? = nil
    ) throws {
        if let finalParamsSHA256 { try Validation.digest(finalParamsSHA256, field: "final_params_sha256") }
        try pool.write { db in
            let seq = try RunLookup.seq(db, runID)
            try db.execute(
                sql: """
                    UPDATE run SET status = ?, end_time = ?,
                        final_params_sha256 = COALESCE(?, final_params_sha256) WHERE seq = ?
                    """,
                arguments: [status.rawValue, endTime.timeIntervalSince1970, finalParamsSHA256, seq])
        }
    }

    /// Marks an ended (or abandoned) run RUNNING again, for `trainyard resume`: clears its end
    /// time; its params, metrics, artifacts and tags stay.
    ///
    /// - Throws: `notFound` for an unknown run.
    package func reopenRun(_ runID: String) throws {
        try pool.write { db in
            let seq = try RunLookup.seq(db, runID)
            try db.execute(
                sql: "UPDATE run SET status = ?, end_time = NULL WHERE seq = ?",
                arguments: [RunStatus.running.rawValue, seq])
        }
    }

    /// Logs params. Params are immutable: re-logging the same value is a no-op, a different value
    /// is an error and nothing of the call is stored.
    ///
    /// - Throws: ``TrackingError/paramConflict(runID:key:existing:new:)`` naming the key and both values.
    package func logParams(runID: String, _ params: [String: String]) throws {
        for key in params.keys { try Validation.key(key, field: "param key") }
        try pool.write { db in
            let seq = try RunLookup.seq(db, runID)
            let lookup = try db.cachedStatement(sql: "SELECT value FROM param WHERE run_seq = ? AND key = ?")
            let insert = try db.cachedStatement(
                sql: "INSERT INTO param (run_seq, key, value, number) VALUES (?, ?, ?, ?)")
            for (key, value) in params.sorted(by: { $0.key < $1.key }) {
                if let existing = try String.fetchOne(lookup, arguments: [seq, key]) {
                    if existing != value {
                        throw TrackingError.paramConflict(runID: runID, key: key, existing: existing, new: value)
                    }
                    continue
                }
                let number = Double(value.trimmingCharacters(in: .whitespaces)).flatMap { $0.isFinite ? $0 : nil }
                try insert.execute(arguments: [seq, key, value, number])
            }
        }
    }

    /// Sets a tag; the last write wins.
    package func setTag(runID: String, key: String, value: String) throws {
        try Validation.key(key, field: "tag key")
        try pool.write { db in
            let seq = try RunLookup.seq(db, runID)
            try db.execute(
                sql: """
                    INSERT INTO tag (run_seq, key, value) VALUES (?, ?, ?)
                    ON CONFLICT (run_seq, key) DO UPDATE SET value = excluded.value
                    """,
                arguments: [seq, key, value])
        }
    }

    /// Records a file the run produced.
    ///
    /// - Parameters:
    ///   - path: relative to `TRAINYARD_HOME`; absolute paths and `..` components are refused.
    ///   - digest: SHA-256 hex of the content.
    ///   - size: bytes.
    package func logArtifact(runID: String, kind: String, path: String, digest: String, size: Int64) throws {
        try Validation.key(kind, field: "artifact kind")
        try Validation.relativePath(path, field: "artifact path")
        try Validation.digest(digest, field: "artifact digest")
        try pool.write { db in
            let seq = try RunLookup.seq(db, runID)
            try db.execute(
                sql: "INSERT INTO artifact (run_seq, kind, path, digest, size, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [seq, kind, path, digest, size, Date().timeIntervalSince1970])
        }
    }

    /// Resolves a full run id, a unique id prefix (like git) or a unique run name to the full id.
    ///
    /// - Throws: `ambiguous` listing candidates, or `notFound` with near matches.
    package func resolveRunID(_ reference: String) throws -> String {
        try pool.read { db in try RunLookup.resolve(db, reference) }
    }

    static func experimentID(_ db: Database, _ name: String, create: Bool) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM experiment WHERE name = ?", arguments: [name]) {
            return id
        }
        guard create else {
            let names = try String.fetchAll(db, sql: "SELECT name FROM experiment")
            throw TrackingError.notFound(
                kind: "experiment", reference: name, nearMatches: NearMatches.rank(name, among: names))
        }
        try db.execute(
            sql: "INSERT INTO experiment (name, created_at) VALUES (?, ?)",
            arguments: [name, Date().timeIntervalSince1970])
        return db.lastInsertedRowID
    }

    static func experiment(_ db: Database, _ name: String) throws -> ExperimentRecord {
        let row = try Row.fetchOne(
            db,
            sql: """
                SELECT experiment.name, experiment.created_at,
                    (SELECT COUNT(*) FROM run WHERE run.experiment_id = experiment.id)
                FROM experiment WHERE name = ?
                """,
            arguments: [name])
        guard let row else { throw TrackingError.notFound(kind: "experiment", reference: name, nearMatches: []) }
        return ExperimentRecord(name: row[0], createdAt: Date(timeIntervalSince1970: row[1]), runCount: row[2])
    }
}
