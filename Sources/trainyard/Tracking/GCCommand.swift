import ArgumentParser
import Foundation
import TrainyardKit

/// `trainyard gc`: removes artifact files that no run or model version references.
struct GCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Delete artifact files under TRAINYARD_HOME that no run or model version references.",
        discussion: """
            Scans TRAINYARD_HOME/artifacts and TRAINYARD_HOME/models. Files younger than the grace
            period are kept, since a running job may not have recorded them yet.
            """)

    @Flag(help: "Report what would be deleted without deleting.")
    var dryRun = false

    @Option(help: "Keep unreferenced files modified less than this many seconds ago.")
    var grace: Double = 600

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if grace < 0 || !grace.isFinite {
            throw ValidationError("--grace must be a number of seconds ≥ 0, got \(grace)")
        }
    }

    func run() throws {
        let home = TrainyardHome.fromEnvironment()
        let store = try TrackingAccess.open(home)
        let report = GarbageCollectionReport(
            try TrackingAccess.mapErrors {
                try store.collectGarbage(home: home.root, gracePeriod: grace, dryRun: dryRun)
            })
        if output.json { return try JSONOutput.print(report) }
        report.removedLines.forEach { print($0) }
        report.warnings.forEach(printError)
        print(report.summary)
    }
}
