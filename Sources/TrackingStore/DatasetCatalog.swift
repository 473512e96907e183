import Foundation
import GRDB

/// One version of a named dataset in the catalog: the content digest plus its schema and statistics.
///
/// The bytes live in the content-addressed store (`TRAINYARD_HOME/<storePath>`), written by the
/// `Datasets` module; the catalog only records names, digests and summaries.
package struct DatasetVersionRecord: Codable, Sendable, Equatable {
    /// User-facing dataset name, `[A-Za-z0-9._-]{1,128}`.
    package var name: String
    /// 64 lowercase hex characters: SHA-256 of the canonical content.
    package var digest: String
    /// "csv", "libsvm", "npy" or "generated".
    package var format: String
    package var rows: Int
    /// Number of feature columns (label excluded).
    package var features: Int
    /// Label column name, if any.
    package var label: String?
    /// "classification", "regression" or nil.
    package var task: String?
    /// Where the data was imported from.
    package var sourcePath: String?
    /// Relative to `TRAINYARD_HOME`, e.g. `datasets/<digest>`.
    package var storePath: String
    /// Bytes stored.
    package var sizeBytes: Int64
    /// `schema.json` content (columns, types, levels).
    package var schemaJSON: String
    /// Compact per-column statistics summary (JSON).
    package var statsJSON: String
    package var createdAt: Date

    package init(
        name: String, digest: String, format: String, rows: Int, features: Int, label: String?,
        task: String?, sourcePath: String?, storePath: String, sizeBytes: Int64, schemaJSON: String,
        statsJSON: String, createdAt: Date
    ) {
        self.name = name
        self.digest = digest
        self.format = format
        self.rows = rows
        self.features = features
        self.label = label
        self.task = task
        self.sourcePath = sourcePath
        self.storePath = storePath
        self.sizeBytes = sizeBytes
        self.schemaJSON = schemaJSON
        self.statsJSON = statsJSON
        self.createdAt = createdAt
    }

    /// `NAME@<first 12 hex of digest>`, the form users type and the CLI prints.
    package var versionLabel: String { "\(name)@\(digest.prefix(12))" }
}

/// A run that used a dataset version, and in which role ("train", "validation", ...).
package struct DatasetUse: Codable, Sendable, Equatable {
    package var runID: String
    package var runName: String?
    package var status: String
    package var role: String

    package init(runID: String, runName: String?, status: String, role: String) {
        self.runID = runID
        self.runName = runName
        self.status = status
        self.role = role
    }
}

extension TrackingStore {
    /// Inserts (name, digest) if new; returns the stored record and whether it was created.
    ///
    /// Re-adding identical content under the same name returns the existing record with
    /// `created == false` (the stored record wins; its `createdAt` is the first registration).
    /// - Throws: ``TrackingError/invalidArgument(field:value:reason:)`` for a malformed name or digest.
    package func registerDatasetVersion(_ record: DatasetVersionRecord) throws
        -> (record: DatasetVersionRecord, created: Bool)
    {
        try Validation.datasetName(record.name)
        try Validation.digest(record.digest, field: "dataset digest")
        return try pool.write { db in
            if let existing = try DatasetVersionRow.fetch(
                db, where: "name = ? AND digest = ?", [record.name, record.digest]
            ).first {
                return (existing, false)
            }
            try db.execute(
                sql: """
                    INSERT INTO dataset_version (name, digest, format, rows, features, label, task,
                        source_path, store_path, size_bytes, schema_json, stats_json, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    record.name, record.digest, record.format, record.rows, record.features,
                    record.label, record.task, record.sourcePath, record.storePath, record.sizeBytes,
                    record.schemaJSON, record.statsJSON, record.createdAt.timeIntervalSince1970,
                ])
            return (record, true)
        }
    }

    /// All versions, newest first; only those of `name` when given.
    package func datasetVersions(name: String?) throws -> [DatasetVersionRecord] {
        try pool.read { db in
            if let name {
                return try DatasetVersionRow.fetch(db, where: "name = ?", [name])
            }
            return try DatasetVersionRow.fetch(db, where: "1", [])
        }
    }

    /// Resolves `NAME` (its newest version), `NAME@<hex prefix of 4+ chars>` or a full 64-hex digest.
    ///
    /// - Throws: ``TrackingError/notFound(kind:reference:nearMatches:)`` listing similar dataset
    ///   names, or ``TrackingError/ambiguous(kind:reference:candidates:)`` when a prefix matches
    ///   several versions of the name.
    package func resolveDatasetVersion(_ reference: String) throws -> DatasetVersionRecord {
        try pool.read { db in try Self.resolveDatasetVersion(db, reference) }
    }

    /// Records that a run used a dataset version in `role` ("train", "validation", ...).
    ///
    /// Idempotent for the same (run, digest, role).
    /// - Throws: `notFound` for an unknown run id or a digest absent from the catalog.
    package func linkDataset(runID: String, digest: String, role: String) throws {
        guard !role.isEmpty else {
            throw TrackingError.invalidArgument(field: "dataset role", value: role, reason: "must not be empty")
        }
        try pool.write { db in
            let seq = try RunLookup.seq(db, runID)
            guard
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM dataset_version WHERE digest = ?)", arguments: [digest]
                ) == true
            else {
                throw TrackingError.notFound(kind: "dataset version", reference: digest, nearMatches: [])
            }
            try db.execute(
                sql: "INSERT OR IGNORE INTO run_dataset (run_seq, digest, role) VALUES (?, ?, ?)",
                arguments: [seq, digest, role])
        }
    }

    /// Runs that used the digest, oldest run first: (run id, run name, status, role).
    package func runsUsingDataset(digest: String) throws -> [DatasetUse] {
        try pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT run.id, run.name, run.status, run_dataset.role FROM run_dataset
                    JOIN run ON run.seq = run_dataset.run_seq
                    WHERE run_dataset.digest = ? ORDER BY run.start_time, run.seq, run_dataset.role
                    """,
                arguments: [digest]
            ).map { DatasetUse(runID: $0[0], runName: $0[1], status: $0[2], role: $0[3]) }
        }
    }

    static func resolveDatasetVersion(_ db: Database, _ reference: String) throws -> DatasetVersionRecord {
        let allNames = { try String.fetchAll(db, sql: "SELECT DISTINCT name FROM dataset_version") }
        if reference.count == 64, reference.allSatisfy(\.isHexDigit) {
            if let found = try DatasetVersionRow.fetch(db, where: "digest = ?", [reference.lowercased()]).first {
                return found
            }
            throw TrackingError.notFound(kind: "dataset version", reference: reference, nearMatches: [])
        }
        let parts = reference.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts[0])
        let versions = try DatasetVersionRow.fetch(db, where: "name = ?", [name])
        guard !versions.isEmpty else {
            throw TrackingError.notFound(
                kind: "dataset", reference: name, nearMatches: NearMatches.rank(name, among: try allNames()))
        }
        guard parts.count == 2 else { return versions[0] }
        let prefix = parts[1].lowercased()
        guard prefix.count >= 4, prefix.allSatisfy(\.isHexDigit) else {
            throw TrackingError.invalidArgument(
                field: "dataset version", value: reference,
                reason: "expected NAME@<at least 4 hex digits of the digest>")
        }
        let matches = versions.filter { $0.digest.hasPrefix(prefix) }
        switch matches.count {
        case 1: return matches[0]
        case 0:
            throw TrackingError.notFound(
                kind: "dataset version", reference: reference, nearMatches: versions.prefix(5).map(\.versionLabel))
        default:
            throw TrackingError.ambiguous(
                kind: "dataset version", reference: reference, candidates: matches.map(\.versionLabel))
        }
    }
}

/// Reads `dataset_version` rows into records.
enum DatasetVersionRow {
    /// Rows matching `condition`, newest first.
    static func fetch(_ db: Database, where condition: String, _ arguments: StatementArguments)
        throws -> [DatasetVersionRecord]
    {
        try Row.fetchAll(
            db,
            sql: """
                SELECT name, digest, format, rows, features, label, task, source_path, store_path,
                    size_bytes, schema_json, stats_json, created_at
                FROM dataset_version WHERE \(condition) ORDER BY created_at DESC, rowid DESC
                """,
            arguments: arguments
        ).map { row in
            DatasetVersionRecord(
                name: row[0], digest: row[1], format: row[2], rows: row[3], features: row[4],
                label: row[5], task: row[6], sourcePath: row[7], storePath: row[8], sizeBytes: row[9],
                schemaJSON: row[10], statsJSON: row[11],
                createdAt: Date(timeIntervalSince1970: row[12]))
        }
    }
}
