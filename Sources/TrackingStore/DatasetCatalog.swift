import Foundation
import GRDB

/// One version of a named dataset in the catalog: the content digest plus its schema and statistics.
///
/// The bytes live in the content-addressed store (`TRAINYARD_HOME/<storePath>`), written by the
/// `Datasets` module; the catalog only records names, digests and summaries.
public struct DatasetVersionRecord: Codable, Sendable, Equatable {
    /// User-facing dataset name, `[A-Za-z0-9._-]{1,128}`.
    public var name: String
    /// 64 lowercase hex characters: SHA-256 of the canonical content.
    public var digest: String
    /// "csv", "libsvm", "npy" or "generated".
    public var format: String
    public var rows: Int
    /// Number of feature columns (label excluded).
    public var features: Int
    /// Label column name, if any.
    public var label: String?
    /// "classification", "regression" or nil.
    public var task: String?
    /// Where the data was imported from.
    public var sourcePath: String?
    /// Relative to `TRAINYARD_HOME`, e.g. `datasets/<digest>`.
    public var storePath: String
    /// Bytes stored.
    public var sizeBytes: Int64
    /// `schema.json` content (columns, types, levels).
    public var schemaJSON: String
    /// Compact per-column statistics summary (JSON).
    public var statsJSON: String
    public var createdAt: Date

    public init(
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
    public var versionLabel: String { "\(name)@\(digest.prefix(12))" }
}

/// A run that used a dataset version, and in which role ("train", "validation", ...).
public struct DatasetUse: Codable, Sendable, Equatable {
    public var runID: String
    public var runName: String?
    public var status: String
    public var role: String

    public init(runID: String, runName: String?, status: String, role: String) {
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
    public func registerDatasetVersion(_ record: DatasetVersionRecord) throws
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
    public func datasetVersions(name: String?) throws -> [DatasetVersionRecord] {
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
    public func resolveDatasetVersion(_ reference: String) throws -> DatasetVersionRecord {
        try pool.read { db in try Self.resolveDatasetVersion(db, reference) }
    }

    /// Records that a run used a dataset version in `role` ("train", "validation", ...).
    ///
    /// Idempotent for the same (run, digest, role).
    /// - Throws: `notFound` for an unknown run id or a digest absent from the catalog.
    public func linkDataset(runID: String, digest: String, role: String) throws {
        guard !role.isEmpty else {
            throw TrackingError.invalidArgument(field: "dataset role", value: role, reason: "must not be empty")
        }
        try pool.write { db in
            let seq = try RunLookup.seq(db, runID)
            guard try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM dataset_version WHERE digest = ?)", arguments: [digest]
            ) == true else {
                throw TrackingError.notFound(kind: "dataset version", reference: digest, nearMatches: [])
            }
            try db.execute(
                sql: "INSERT OR IGNORE INTO run_dataset (run_seq, digest, role) VALUES (?, ?, ?)",
                arguments: [seq, digest, role])
        }
    }

    /// Runs that used the digest, oldest run first: (run id, run name, status, role).
    public func runsUsingDataset(digest: String) throws -> [DatasetUse] {
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
