import Foundation
import GRDB

/// What `deleteRun` removed.
package struct RunDeletion: Codable, Sendable, Equatable {
    package var runID: String
    /// Artifact files and directories removed from disk, relative to `TRAINYARD_HOME`.
    package var removedPaths: [String]
    /// Artifact paths kept because another run or a model version still references them.
    package var sharedPaths: [String]
    /// Paths that could not be removed (reported, not fatal; `gc` retries them later).
    package var failedPaths: [String]
    /// Bytes removed from disk.
    package var reclaimedBytes: Int64
}

extension TrackingStore {
    /// Deletes a run for real: its row, params, tags, metrics, artifact rows and dataset links in
    /// one transaction, then, once that has committed, the artifact files no other row references.
    ///
    /// Trials of the run keep existing (their parent becomes nil).
    /// - Parameters:
    ///   - reference: full id, unique prefix or unique name.
    ///   - home: `TRAINYARD_HOME`; artifact paths are relative to it.
    ///   - force: also delete a RUNNING run (its writer will then fail).
    /// - Throws: `conflict` when a model version was registered from the run (its lineage must not
    ///   dangle) or the run is RUNNING without `force`; `notFound`/`ambiguous` for the reference.
    @discardableResult
    package func deleteRun(_ reference: String, home: URL, force: Bool = false) throws -> RunDeletion {
        let (runID, toRemove, shared) = try pool.write { db -> (String, [String], [String]) in
            let id = try RunLookup.resolve(db, reference)
            let seq = try RunLookup.seq(db, id)
            let status = try String.fetchOne(db, sql: "SELECT status FROM run WHERE seq = ?", arguments: [seq])
            if status == RunStatus.running.rawValue && !force {
                throw TrackingError.conflict("run \(id) is RUNNING; stop it first or pass --force")
            }
            let versions = try String.fetchAll(
                db,
                sql: """
                    SELECT registered_model.name || '/' || model_version.version FROM model_version
                    JOIN registered_model ON registered_model.id = model_version.model_id
                    WHERE model_version.source_run_seq = ? ORDER BY 1
                    """,
                arguments: [seq])
            if !versions.isEmpty {
                throw TrackingError.conflict(
                    "run \(id) is the source of model version(s) \(versions.joined(separator: ", ")); "
                        + "it is kept so their lineage stays intact")
            }
            let paths = try String.fetchAll(
                db, sql: "SELECT DISTINCT path FROM artifact WHERE run_seq = ? ORDER BY path", arguments: [seq])
            try db.execute(sql: "DELETE FROM run WHERE seq = ?", arguments: [seq])
            let references = try ArtifactReferences.load(db)
            let shared = paths.filter { references.covers($0) || references.isInside($0) }
            return (id, paths.filter { !shared.contains($0) }, shared)
        }
        // The transaction has committed: removing files now can only leave orphans, never dangling rows.
        var deletion = RunDeletion(
            runID: runID, removedPaths: [], sharedPaths: shared, failedPaths: [], reclaimedBytes: 0)
        for path in toRemove {
            let url = home.appendingPathComponent(path)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            let bytes = ArtifactFiles.size(of: url)
            do {
                try FileManager.default.removeItem(at: url)
                ArtifactFiles.pruneEmptyParents(of: url, home: home)
                deletion.removedPaths.append(path)
                deletion.reclaimedBytes += bytes
            } catch {
                deletion.failedPaths.append(path)
            }
        }
        return deletion
    }
}

/// The set of paths the database references (artifacts, model packages, dataset store entries).
struct ArtifactReferences {
    var paths: Set<String>

    static func load(_ db: Database) throws -> ArtifactReferences {
        var paths = Set(try String.fetchAll(db, sql: "SELECT DISTINCT path FROM artifact"))
        paths.formUnion(try String.fetchAll(db, sql: "SELECT DISTINCT package_path FROM model_version"))
        paths.formUnion(try String.fetchAll(db, sql: "SELECT DISTINCT store_path FROM dataset_version"))
        return ArtifactReferences(paths: Set(paths.map(Self.normalized)))
    }

    /// True when `path` or one of its ancestor directories is referenced.
    func covers(_ path: String) -> Bool {
        var current = Self.normalized(path)
        while true {
            if paths.contains(current) { return true }
            guard let slash = current.lastIndex(of: "/") else { return false }
            current = String(current[..<slash])
        }
    }

    /// True when a referenced path lies inside `path` (so `path` is a directory still in use).
    func isInside(_ path: String) -> Bool {
        let prefix = Self.normalized(path) + "/"
        return paths.contains { $0.hasPrefix(prefix) }
    }

    private static func normalized(_ path: String) -> String {
        var p = Substring(path)
        while p.hasSuffix("/") { p = p.dropLast() }
        while p.hasPrefix("./") { p = p.dropFirst(2) }
        return String(p)
    }
}

/// File-system helpers for artifact deletion.
enum ArtifactFiles {
    /// Bytes of a file, or of every regular file under a directory (symbolic links not followed).
    static func size(of url: URL) -> Int64 {
        let keys: [URLResourceKey] = [.isRegularFileKey, .fileSizeKey, .isSymbolicLinkKey]
        guard let values = try? url.resourceValues(forKeys: Set(keys)) else { return 0 }
        if values.isRegularFile == true || values.isSymbolicLink == true { return Int64(values.fileSize ?? 0) }
        var total: Int64 = 0
        if let walker = FileManager.default.enumerator(at: url, includingPropertiesForKeys: keys) {
            for case let file as URL in walker {
                if let values = try? file.resourceValues(forKeys: Set(keys)), values.isRegularFile == true {
                    total += Int64(values.fileSize ?? 0)
                }
            }
        }
        return total
    }

    /// Removes now-empty directories above `url`, stopping below the top-level folder of `home`
    /// (`artifacts/` itself is kept).
    static func pruneEmptyParents(of url: URL, home: URL) {
        let homePath = home.standardizedFileURL.path
        var directory = url.deletingLastPathComponent().standardizedFileURL
        while directory.path.hasPrefix(homePath + "/") {
            let relative = directory.path.dropFirst(homePath.count + 1)
            guard relative.contains("/") else { return }
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory.path), entries.isEmpty
            else { return }
            try? FileManager.default.removeItem(at: directory)
            directory = directory.deletingLastPathComponent()
        }
    }
}
