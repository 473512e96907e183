import ArgumentParser
import Foundation
import TrackingStore
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

    struct Report: Encodable {
        let dry_run: Bool
        let removed_files: [String]
        let young_files: [String]
        let failed_files: [String]
        let referenced_files: Int
        let reclaimed_bytes: Int64
    }

    func validate() throws {
        if grace < 0 || !grace.isFinite {
            throw ValidationError("--grace must be a number of seconds ≥ 0, got \(grace)")
        }
    }

    func run() throws {
        let home = TrainyardHome.fromEnvironment()
        let store = try TrackingAccess.open(home)
        let report = try TrackingAccess.mapErrors {
            try store.collectGarbage(home: home.root, gracePeriod: grace, dryRun: dryRun)
        }
        if output.json {
            try JSONOutput.print(
                Report(
                    dry_run: report.dryRun, removed_files: report.removedFiles, young_files: report.youngFiles,
                    failed_files: report.failedFiles, referenced_files: report.referencedFiles,
                    reclaimed_bytes: report.reclaimedBytes))
            return
        }
        let verb = dryRun ? "would remove" : "removed"
        for path in report.removedFiles { print("\(verb) \(path)") }
        for path in report.failedFiles { printError("warning: could not remove \(path)") }
        print(
            "\(verb) \(report.removedFiles.count) unreferenced file(s), \(TextFormat.bytes(report.reclaimedBytes)); "
                + "kept \(report.referencedFiles) referenced and \(report.youngFiles.count) recent file(s)")
    }
}
