import Foundation
import GRDB

extension TrackingStore {
    /// Registers a new version of model `name` (creating the model on first use) and returns its
    /// number: 1 for the first version of a name, then counting up.
    ///
    /// - Parameters:
    ///   - sourceRunID: the run that produced the package (full id or unique prefix); its lineage.
    ///   - packagePath: the package, relative to `TRAINYARD_HOME`.
    ///   - packageDigest: SHA-256 hex of the package.
    /// - Throws: `invalidArgument` for a malformed name, path or digest; `notFound` for the run.
    package func registerModelVersion(
        name: String, sourceRunID: String?, packagePath: String, packageDigest: String, createdAt: Date = Date()
    ) throws -> Int {
        try Validation.name(name, field: "model name")
        try Validation.relativePath(packagePath, field: "package path")
        try Validation.digest(packageDigest, field: "package digest")
        return try pool.write { db in
            let runID = try sourceRunID.map { try RunLookup.resolve(db, $0) }
            let runSeq = try runID.map { try RunLookup.seq(db, $0) }
            let modelID: Int64
            if let id = try Int64.fetchOne(db, sql: "SELECT id FROM registered_model WHERE name = ?", arguments: [name])
            {
                modelID = id
            } else {
                try db.execute(
                    sql: "INSERT INTO registered_model (name, created_at) VALUES (?, ?)",
                    arguments: [name, createdAt.timeIntervalSince1970])
                modelID = db.lastInsertedRowID
            }
            let version =
                (try Int.fetchOne(
                    db, sql: "SELECT MAX(version) FROM model_version WHERE model_id = ?", arguments: [modelID]) ?? 0)
                + 1
            try db.execute(
                sql: """
                    INSERT INTO model_version (model_id, version, source_run_seq, source_run_id, package_path,
                        package_digest, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    modelID, version, runSeq, runID, packagePath, packageDigest, createdAt.timeIntervalSince1970,
                ])
            return version
        }
    }

    /// Points `alias` of model `name` at `version`, recording the move (who, when, from which
    /// version). Setting an alias to the version it already points at records nothing.
    ///
    /// - Returns: the version the alias pointed at before (nil if it is new).
    /// - Throws: `notFound` for an unknown model or version (listing near matches / existing
    ///   versions); `invalidArgument` for a malformed alias (numeric aliases and `latest` are
    ///   reserved because `NAME@3` and `NAME@latest` must stay unambiguous).
    @discardableResult
    package func setAlias(model name: String, alias: String, version: Int, actor: String, at date: Date = Date())
        throws -> Int?
    {
        try Validation.alias(alias)
        return try pool.write { db in
            let modelID = try ModelLookup.modelID(db, name)
            try ModelLookup.requireVersion(db, modelID: modelID, model: name, version: version)
            let previous = try Int.fetchOne(
                db, sql: "SELECT version FROM model_alias WHERE model_id = ? AND alias = ?",
                arguments: [modelID, alias])
            if previous == version { return previous }
            try ModelLookup.moveAlias(
                db, modelID: modelID, alias: alias, to: version, from: previous, action: .set, actor: actor, at: date)
            return previous
        }
    }

    /// Moves `alias` back to the version it pointed at before its latest move.
    ///
    /// Moves form a stack: each `setAlias` pushes, each rollback pops, so rolling back twice after
    /// v1 → v2 → v3 gives v2, then v1. The rollback itself is recorded in the history.
    /// - Returns: the versions before and after.
    /// - Throws: `notFound` for an unknown model or alias, `conflict` when there is no earlier version.
    @discardableResult
    package func rollback(model name: String, alias: String, actor: String, at date: Date = Date())
        throws -> (from: Int, to: Int)
    {
        try pool.write { db in
            let modelID = try ModelLookup.modelID(db, name)
            guard
                let current = try Int.fetchOne(
                    db, sql: "SELECT version FROM model_alias WHERE model_id = ? AND alias = ?",
                    arguments: [modelID, alias])
            else {
                let aliases = try String.fetchAll(
                    db, sql: "SELECT alias FROM model_alias WHERE model_id = ? ORDER BY alias", arguments: [modelID])
                let near = NearMatches.rank(alias, among: aliases)
                throw TrackingError.notFound(
                    kind: "alias of model \(name)", reference: alias, nearMatches: near.isEmpty ? aliases : near)
            }
            var stack: [Int] = []
            for row in try Row.fetchAll(
                db, sql: "SELECT action, version FROM alias_event WHERE model_id = ? AND alias = ? ORDER BY id",
                arguments: [modelID, alias])
            {
                if (row[0] as String) == AliasEvent.Action.rollback.rawValue {
                    if !stack.isEmpty { stack.removeLast() }
                } else {
                    stack.append(row[1])
                }
            }
            guard stack.count >= 2 else {
                throw TrackingError.conflict(
                    "alias '\(alias)' of model \(name) has no earlier version to roll back to (it points at version \(current))"
                )
            }
            let target = stack[stack.count - 2]
            try ModelLookup.moveAlias(
                db, modelID: modelID, alias: alias, to: target, from: current, action: .rollback, actor: actor, at: date
            )
            return (current, target)
        }
    }

    /// Resolves `NAME@ALIAS`, `NAME/VERSION`, `models:/NAME@ALIAS`, `models:/NAME/VERSION`,
    /// `NAME@latest` or a bare `NAME` (its latest version).
    /// - Throws: `notFound` (model, version or alias, with near matches) or `invalidArgument`.
    package func resolveModel(_ reference: String) throws -> ModelVersionRecord {
        let parsed = try ModelReference(parsing: reference)
        return try pool.read { db in
            let modelID = try ModelLookup.modelID(db, parsed.model)
            let version: Int
            switch parsed.selector {
            case .version(let number):
                try ModelLookup.requireVersion(db, modelID: modelID, model: parsed.model, version: number)
                version = number
            case .latest:
                guard
                    let latest = try Int.fetchOne(
                        db, sql: "SELECT MAX(version) FROM model_version WHERE model_id = ?", arguments: [modelID])
                else {
                    throw TrackingError.notFound(
                        kind: "version of model \(parsed.model)", reference: "latest", nearMatches: [])
                }
                version = latest
            case .alias(let alias):
                guard
                    let target = try Int.fetchOne(
                        db, sql: "SELECT version FROM model_alias WHERE model_id = ? AND alias = ?",
                        arguments: [modelID, alias])
                else {
                    let aliases = try String.fetchAll(
                        db, sql: "SELECT alias FROM model_alias WHERE model_id = ? ORDER BY alias", arguments: [modelID]
                    )
                    let near = NearMatches.rank(alias, among: aliases)
                    throw TrackingError.notFound(
                        kind: "alias of model \(parsed.model)", reference: alias,
                        nearMatches: near.isEmpty ? aliases : near)
                }
                version = target
            }
            return try ModelLookup.versions(db, modelID: modelID, model: parsed.model, only: version)[0]
        }
    }

    /// Every version of model `name`, oldest first, each with its current aliases.
    package func modelVersions(_ name: String) throws -> [ModelVersionRecord] {
        try pool.read { db in
            try ModelLookup.versions(db, modelID: try ModelLookup.modelID(db, name), model: name, only: nil)
        }
    }

    /// Every registered model, by name.
    package func models() throws -> [RegisteredModelRecord] {
        try pool.read { db in
            let aliasRows = try Row.fetchAll(db, sql: "SELECT model_id, alias, version FROM model_alias")
            var aliases: [Int64: [String: Int]] = [:]
            for row in aliasRows { aliases[row[0], default: [:]][row[1]] = row[2] }
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT m.id, m.name, m.created_at, MAX(v.version), COUNT(v.version) FROM registered_model m
                    LEFT JOIN model_version v ON v.model_id = m.id GROUP BY m.id ORDER BY m.name
                    """
            ).map { row in
                RegisteredModelRecord(
                    name: row[1], createdAt: Date(timeIntervalSince1970: row[2]), latestVersion: row[3],
                    versionCount: row[4], aliases: aliases[row[0]] ?? [:])
            }
        }
    }

    /// One registered model.
    /// - Throws: `notFound` with near matches.
    package func model(_ name: String) throws -> RegisteredModelRecord {
        let all = try models()
        if let found = all.first(where: { $0.name == name }) { return found }
        throw TrackingError.notFound(
            kind: "model", reference: name, nearMatches: NearMatches.rank(name, among: all.map(\.name)))
    }

    /// Every alias move of model `name` (only of `alias` when given), oldest first.
    package func aliasHistory(_ name: String, alias: String? = nil) throws -> [AliasEvent] {
        try pool.read { db in
            let modelID = try ModelLookup.modelID(db, name)
            var sql = "SELECT alias, action, version, previous_version, actor, at FROM alias_event WHERE model_id = ?"
            var arguments: StatementArguments = [modelID]
            if let alias {
                sql += " AND alias = ?"
                arguments += [alias]
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY id", arguments: arguments).map { row in
                AliasEvent(
                    model: name, alias: row[0], action: AliasEvent.Action(rawValue: row[1]) ?? .set, version: row[2],
                    previousVersion: row[3], actor: row[4], at: Date(timeIntervalSince1970: row[5]))
            }
        }
    }
}
