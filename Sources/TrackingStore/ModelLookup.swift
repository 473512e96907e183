import Foundation
import GRDB

/// SQL shared by the registry methods: finding models and versions, moving aliases.
enum ModelLookup {
    /// The row id of model `name`.
    /// - Throws: `notFound` with near-matching model names.
    static func modelID(_ db: Database, _ name: String) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM registered_model WHERE name = ?", arguments: [name]) {
            return id
        }
        let names = try String.fetchAll(db, sql: "SELECT name FROM registered_model ORDER BY name")
        throw TrackingError.notFound(kind: "model", reference: name, nearMatches: NearMatches.rank(name, among: names))
    }

    /// Throws `notFound` (listing the existing versions) unless `version` exists.
    static func requireVersion(_ db: Database, modelID: Int64, model: String, version: Int) throws {
        let versions = try Int.fetchAll(
            db, sql: "SELECT version FROM model_version WHERE model_id = ? ORDER BY version", arguments: [modelID])
        guard versions.contains(version) else {
            let shown = versions.count > 10 ? Array(versions.suffix(10)) : versions
            throw TrackingError.notFound(
                kind: "version of model \(model)", reference: String(version), nearMatches: shown.map(String.init))
        }
    }

    /// Versions of a model (one when `only` is given), oldest first, with their current aliases.
    static func versions(_ db: Database, modelID: Int64, model: String, only: Int?) throws -> [ModelVersionRecord] {
        var aliases: [Int: [String]] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT version, alias FROM model_alias WHERE model_id = ? ORDER BY alias", arguments: [modelID])
        {
            aliases[row[0], default: []].append(row[1])
        }
        var sql = """
            SELECT version, source_run_id, package_path, package_digest, created_at FROM model_version
            WHERE model_id = ?
            """
        var arguments: StatementArguments = [modelID]
        if let only {
            sql += " AND version = ?"
            arguments += [only]
        }
        return try Row.fetchAll(db, sql: sql + " ORDER BY version", arguments: arguments).map { row in
            let version: Int = row[0]
            return ModelVersionRecord(
                model: model, version: version, sourceRunID: row[1], packagePath: row[2], packageDigest: row[3],
                createdAt: Date(timeIntervalSince1970: row[4]), aliases: aliases[version] ?? [])
        }
    }

    /// Points the alias at `version` and appends the move to the history, in the caller's transaction.
    static func moveAlias(
        _ db: Database, modelID: Int64, alias: String, to version: Int, from previous: Int?,
        action: AliasEvent.Action, actor: String, at date: Date
    ) throws {
        let time = date.timeIntervalSince1970
        try db.execute(
            sql: """
                INSERT INTO model_alias (model_id, alias, version, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (model_id, alias) DO UPDATE SET
                    version = excluded.version, updated_at = excluded.updated_at, updated_by = excluded.updated_by
                """,
            arguments: [modelID, alias, version, time, actor])
        try db.execute(
            sql: """
                INSERT INTO alias_event (model_id, alias, action, version, previous_version, actor, at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [modelID, alias, action.rawValue, version, previous, actor, time])
    }
}
