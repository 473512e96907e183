import ArgumentParser
import Foundation
import TrackingStore
import TrainyardKit

/// `trainyard models show NAME`: versions, aliases and lineage back to runs and datasets.
struct ModelsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a model's versions and aliases, with lineage back to the run and datasets.",
        discussion: "NAME/VERSION or NAME@ALIAS shows only that version.")

    @Argument(help: "Model name, or one version as NAME/VERSION or NAME@ALIAS.")
    var name: String

    @OptionGroup var output: OutputOptions

    func run() throws {
        let store = try TrackingAccess.open(.fromEnvironment())
        let model = try TrackingAccess.mapErrors { try ModelReport(store, reference: name) }
        if output.json { return try JSONOutput.print(model) }
        print(model.text)
    }
}
