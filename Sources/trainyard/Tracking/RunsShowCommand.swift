import ArgumentParser
import Foundation
import TrackingStore
import TrainyardKit

/// `trainyard runs show RUN`: everything about one run.
struct RunsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a run: params, final and best metrics, artifacts, datasets, lineage.")

    @Argument(help: ArgumentHelp("Run id, unique id prefix, or unique run name.", valueName: "run"))
    var runReference: String

    @OptionGroup var output: OutputOptions

    func run() throws {
        let store = try TrackingAccess.open(.fromEnvironment())
        let record = try TrackingAccess.mapErrors { try store.run(runReference) }
        let detail = TrackingJSON.RunDetail(record)
        if output.json { return try JSONOutput.print(detail) }
        print(detail.text)
    }
}
