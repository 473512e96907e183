import ArgumentParser
import Foundation
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

    func validate() throws {
        if runs.isEmpty { throw ValidationError("name at least one run to delete") }
    }

    func run() throws {
        let home = TrainyardHome.fromEnvironment()
        let store = try TrackingAccess.open(home)
        var deleted: [RunDeletionReport] = []
        for reference in runs {
            let report = RunDeletionReport(
                try TrackingAccess.mapErrors { try store.deleteRun(reference, home: home.root, force: force) })
            deleted.append(report)
            if !output.json {
                print(report.text)
                report.warnings.forEach(printError)
            }
        }
        if output.json { try JSONOutput.print(deleted) }
    }
}
