import Foundation
import TrackingStore

/// What `gc` reports (its `--json` shape): the unreferenced files removed, kept and failed.
package struct GarbageCollectionReport: Encodable {
    package let dry_run: Bool
    package let removed_files: [String]
    package let young_files: [String]
    package let failed_files: [String]
    package let referenced_files: Int
    package let reclaimed_bytes: Int64

    package init(_ report: GarbageReport) {
        dry_run = report.dryRun
        removed_files = report.removedFiles
        young_files = report.youngFiles
        failed_files = report.failedFiles
        referenced_files = report.referencedFiles
        reclaimed_bytes = report.reclaimedBytes
    }

    private var verb: String { dry_run ? "would remove" : "removed" }

    /// One line per removed (or, in a dry run, removable) file.
    package var removedLines: [String] { removed_files.map { "\(verb) \($0)" } }

    /// One warning per file that could not be removed.
    package var warnings: [String] { failed_files.map { "warning: could not remove \($0)" } }

    /// The closing line: how many files went, how many bytes, how many were kept.
    package var summary: String {
        "\(verb) \(removed_files.count) unreferenced file(s), \(TextFormat.bytes(reclaimed_bytes)); "
            + "kept \(referenced_files) referenced and \(young_files.count) recent file(s)"
    }
}

/// What `runs delete` reports per run (its `--json` shape): the artifact paths removed and kept.
package struct RunDeletionReport: Encodable {
    package let run_id: String
    package let removed_paths: [String]
    package let shared_paths: [String]
    package let failed_paths: [String]
    package let reclaimed_bytes: Int64

    package init(_ deletion: RunDeletion) {
        run_id = deletion.runID
        removed_paths = deletion.removedPaths
        shared_paths = deletion.sharedPaths
        failed_paths = deletion.failedPaths
        reclaimed_bytes = deletion.reclaimedBytes
    }

    /// `deleted run ID: N artifact path(s) removed, SIZE reclaimed[, M shared path(s) kept]`.
    package var text: String {
        "deleted run \(run_id): \(removed_paths.count) artifact path(s) removed, "
            + "\(TextFormat.bytes(reclaimed_bytes)) reclaimed"
            + (shared_paths.isEmpty ? "" : ", \(shared_paths.count) shared path(s) kept")
    }

    /// One warning per path that could not be removed.
    package var warnings: [String] {
        failed_paths.map { "warning: could not remove \($0); `trainyard gc` will retry" }
    }
}
