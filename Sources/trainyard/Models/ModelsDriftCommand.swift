import ArgumentParser
import Foundation
import TrackingStore
import TrainyardKit

/// `trainyard models drift NAME`: the drift reports `trainyard serve` recorded.
struct ModelsDriftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract:
            "Drift reports recorded by trainyard serve for a model (alert transitions, and at most one a minute otherwise)."
    )

    @Argument(help: "Model name, or NAME/VERSION for one version.") var model: String
    @Option(name: .long, help: "Only the last N reports.") var last: Int = 20
    @OptionGroup var output: OutputOptions

    func run() throws {
        let store = try TrackingAccess.open(.fromEnvironment())
        let reference = try TrackingAccess.mapErrors { try ModelReference(parsing: model) }
        var version: Int?
        if case .version(let v) = reference.selector, model.contains("/") { version = v }
        let reports = try TrackingAccess.mapErrors { try store.driftReports(model: reference.model, version: version) }
            .suffix(max(0, last))
        let history = DriftHistory(model: model, reports: reports)
        if output.json { return try JSONOutput.print(history.reports) }
        print(history.text)
    }
}
