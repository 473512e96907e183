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
        if output.json {
            try JSONOutput.print(model)
            return
        }
        print("model \(model.name)  (created \(TextFormat.time(model.created_at)))")
        let aliases = model.aliases.sorted { $0.key < $1.key }.map { "\($0.key)→\($0.value)" }
        print("aliases: " + (aliases.isEmpty ? "(none)" : aliases.joined(separator: ", ")))
        print("")
        var table = TextTable(["VERSION", "ALIASES", "RUN", "RUN STATUS", "DATASETS", "PACKAGE", "SHA256", "CREATED"])
        for version in model.versions {
            let datasets = version.lineage?.datasets.map {
                "\($0.role):\($0.versions.first ?? String($0.digest.prefix(12)))"
            }
            table.add([
                String(version.version), version.aliases.isEmpty ? "-" : version.aliases.joined(separator: ","),
                version.source_run_id ?? "-", version.lineage?.status ?? "-",
                (datasets?.isEmpty ?? true) ? "-" : datasets!.joined(separator: " "), version.package_path,
                String(version.package_digest.prefix(12)), TextFormat.time(version.created_at),
            ])
        }
        print(table.render())
    }

    /// The source run of a version, with its datasets; nil fields when the run is gone.
}
