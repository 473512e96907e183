import Foundation
import GRDB

/// What `collectGarbage` found and removed.
package struct GarbageReport: Codable, Sendable, Equatable {
    /// Unreferenced files removed (or, in a dry run, that would be), relative to `TRAINYARD_HOME`.
    package var removedFiles: [String]
    /// Unreferenced files kept because they are younger than the grace period.
    package var youngFiles: [String]
    /// Files that could not be removed.
    package var failedFiles: [String]
    /// Bytes of the removed (or removable) files.
    package var reclaimedBytes: Int64
    /// Files scanned that the database references.
    package var referencedFiles: Int
    package var dryRun: Bool
}

extension TrackingStore {
    /// The folders under `TRAINYARD_HOME` whose files belong to runs and models.
    package static let artifactRoots = ["artifacts", "models"]

    /// Deletes files under the artifact folders of `home` that no artifact row or model version
    /// references (directly or through a referenced ancestor directory).
    ///
    /// The folders are scanned first and the references read afterwards (one read transaction,
    /// so metric writers are never blocked); files are removed only after that transaction ends.
    /// Files younger than `gracePeriod` are kept: a job may have written one and not logged it
    /// yet. Symbolic links are removed as links, never followed. Empty directories left behind
    /// are pruned.
    /// - Parameters:
    ///   - roots: folders relative to `home` to scan (default ``artifactRoots``).
    ///   - gracePeriod: seconds a file must be untouched before it is collected.
    ///   - dryRun: report without deleting.
    package func collectGarbage(
        home: URL, roots: [String] = TrackingStore.artifactRoots, gracePeriod: TimeInterval = 600,
        dryRun: Bool = false, now: Date = Date()
    ) throws -> GarbageReport {
        for root in roots { try Validation.relativePath(root, field: "garbage-collection root") }
        var report = GarbageReport(
            removedFiles: [], youngFiles: [], failedFiles: [], reclaimedBytes: 0, referencedFiles: 0, dryRun: dryRun)
        let files = roots.flatMap { ArtifactFiles.walk(home: home, root: $0) }
        let references = try pool.read { db in try ArtifactReferences.load(db) }
        var candidates: [(path: String, url: URL, size: Int64)] = []
        for file in files {
            if references.covers(file.path) {
                report.referencedFiles += 1
            } else if now.timeIntervalSince(file.modified) < gracePeriod {
                report.youngFiles.append(file.path)
            } else {
                candidates.append((file.path, file.url, file.size))
            }
        }
        for candidate in candidates {
            if dryRun {
                report.removedFiles.append(candidate.path)
                report.reclaimedBytes += candidate.size
                continue
            }
            do {
                try FileManager.default.removeItem(at: candidate.url)
                ArtifactFiles.pruneEmptyParents(of: candidate.url, home: home)
                report.removedFiles.append(candidate.path)
                report.reclaimedBytes += candidate.size
            } catch {
                report.failedFiles.append(candidate.path)
            }
        }
        return report
    }
}

extension ArtifactFiles {
    /// A file found under an artifact root.
    struct Entry {
        var path: String
        var url: URL
        var size: Int64
        var modified: Date
    }

    /// Regular files and symbolic links under `home/root`, sorted by path (directories are
    /// descended, links are not followed).
    static func walk(home: URL, root: String) -> [Entry] {
        let base = home.appendingPathComponent(root).standardizedFileURL
        let keys: [URLResourceKey] = [.isRegularFileKey, .isSymbolicLinkKey, .fileSizeKey, .contentModificationDateKey]
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: keys) else { return [] }
        let homePath = home.standardizedFileURL.path
        var entries: [Entry] = []
        for case let url as URL in walker {
            guard let values = try? url.resourceValues(forKeys: Set(keys)),
                values.isRegularFile == true || values.isSymbolicLink == true
            else { continue }
            let full = url.standardizedFileURL.path
            guard full.hasPrefix(homePath + "/") else { continue }
            entries.append(
                Entry(
                    path: String(full.dropFirst(homePath.count + 1)), url: url, size: Int64(values.fileSize ?? 0),
                    modified: values.contentModificationDate ?? .distantPast))
        }
        return entries.sorted { $0.path < $1.path }
    }
}
