import Foundation
import GRDB

/// The tracking database: experiments, runs, params, metric series, tags, artifacts, the dataset
/// catalog and the model registry, in one SQLite file (usually `TRAINYARD_HOME/trainyard.db`).
///
/// The handle wraps a GRDB `DatabasePool` in WAL mode: any number of processes may read while one
/// writes, and writers from several processes wait for each other (busy timeout) instead of failing
/// with "database is locked". Every public method is one transaction, so a crash loses at most the
/// call in progress. The handle is thread-safe; share one per process.
package final class TrackingStore: Sendable {
    /// The database file.
    package let path: URL
    let pool: DatabasePool

    /// How long a writer waits for another process's write transaction before failing, in seconds.
    package static let busyTimeout: TimeInterval = 30

    /// Opens (creating if needed) the database at `path` and migrates it to the current schema.
    ///
    /// - Throws: ``TrackingError/schemaTooNew(path:found:supported:)`` when a newer Trainyard wrote
    ///   the file (checked through a read-only connection first, so the file is never modified), or
    ///   a GRDB `DatabaseError` when the file is not a SQLite database or cannot be created.
    package init(path: URL) throws {
        self.path = path
        try FileManager.default.createDirectory(
            at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: path.path) {
            try Self.refuseNewerSchema(at: path)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.label = "TrackingStore"
        configuration.prepareDatabase { db in
            // NORMAL is durable against process crashes in WAL mode; only power loss can undo the
            // last transactions, never corrupt the file.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        pool = try DatabasePool(path: path.path, configuration: configuration)
        try pool.read { db in try Self.refuseNewerSchema(db, path: path) }
        try TrackingSchema.migrator.migrate(pool)
    }

    /// The schema version stored in the database (0 for a new file).
    package func schemaVersion() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
    }

    /// The newest schema version this binary supports.
    package static var supportedSchemaVersion: Int { TrackingSchema.currentVersion }

    /// Runs `PRAGMA integrity_check`; returns `["ok"]` for a healthy file, otherwise the problems.
    package func integrityCheck() throws -> [String] {
        try pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }

    private static func refuseNewerSchema(at path: URL) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout)
        let queue = try DatabaseQueue(path: path.path, configuration: configuration)
        try queue.read { db in try refuseNewerSchema(db, path: path) }
        try queue.close()
    }

    private static func refuseNewerSchema(_ db: Database, path: URL) throws {
        let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        if version > TrackingSchema.currentVersion {
            throw TrackingError.schemaTooNew(
                path: path.path, found: version, supported: TrackingSchema.currentVersion)
        }
        if try db.tableExists("grdb_migrations") {
            let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
            let unknown = Set(applied).subtracting(TrackingSchema.migrationIdentifiers)
            if !unknown.isEmpty {
                throw TrackingError.schemaTooNew(
                    path: path.path, found: max(version, applied.count),
                    supported: TrackingSchema.currentVersion)
            }
        }
    }
}
