import ArgumentParser
import Foundation
import TrackingStore
import TrainyardKit

/// `trainyard runs delete RUN...`: real deletion of runs and their unshared artifact files.
struct RunsDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete runs: their records, metrics and artifact files no other run or model uses.",
        discussion: """
            A run that a registered model version came from is kept (its lineage must stay intact).
            Files are removed only after the database change has committed.
            """)

    @Argument(help: "Runs to delete (ids, unique prefixes or names).")
    var runs: [String]

    @Flag(help: "Also delete runs that are still RUNNING.")
    var force = false

    @OptionGroup var output: OutputOptions

    struct Deleted: Encodable {
        let run_id: String
        let removed_paths: [String]
        let shared_paths: [String]
        let failed_paths: [String]
        let reclaimed_bytes: Int64
    }

    func validate() throws {
        if runs.isEmpty { throw ValidationError("name at least one run to delete") }
    }

    func run() throws {
        let home = TrainyardHome.fromEnvironment()
        let store = try TrackingAccess.open(home)
        var deleted: [Deleted] = []
        for reference in runs {
            let deletion = try TrackingAccess.mapErrors {
                try store.deleteRun(reference, home: home.root, force: force)
            }
            deleted.append(
                Deleted(
                    run_id: deletion.runID, removed_paths: deletion.removedPaths, shared_paths: deletion.sharedPaths,
                    failed_paths: deletion.failedPaths, reclaimed_bytes: deletion.reclaimedBytes))
            if !output.json {
                print(
                    "deleted run \(deletion.runID): \(deletion.removedPaths.count) artifact path(s) removed, "
                        + "\(TextFormat.bytes(deletion.reclaimedBytes)) reclaimed"
                        + (deletion.sharedPaths.isEmpty ? "" : ", \(deletion.sharedPaths.count) shared path(s) kept"))
                for path in deletion.failedPaths {
                    printError("warning: could not remove \(path); `trainyard gc` will retry")
                }
            }
        }
        if output.json { try JSONOutput.print(deleted) }
    }
}
