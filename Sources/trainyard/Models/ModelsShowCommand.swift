import ArgumentParser
import Foundation
import TrackingStore

/// `trainyard models show NAME`: versions, aliases and lineage back to runs and datasets.
struct ModelsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a model's versions and aliases, with lineage back to the run and datasets.",
        discussion: "NAME/VERSION or NAME@ALIAS shows only that version.")

    @Argument(help: "Model name, or one version as NAME/VERSION or NAME@ALIAS.")
    var name: String

    @OptionGroup var output: OutputOptions

    struct Lineage: Encodable {
        let run_id: String
        let run_name: String?
        let experiment: String
        let status: String
        let code_revision: String?
        let final_params_sha256: String?
        let datasets: [TrackingJSON.DatasetRow]
        let metrics: [String: Double]
    }

    struct Version: Encodable {
        let version: Int
        let uri: String
        let aliases: [String]
        let source_run_id: String?
        let package_path: String
        let package_digest: String
        let created_at: Date
        let lineage: Lineage?
    }

    struct Model: Encodable {
        let name: String
        let created_at: Date
        let aliases: [String: Int]
        let versions: [Version]
    }

    func run() throws {
        let store = try TrackingCLI.openStore()
        let model = try TrackingCLI.mapErrors { () -> Model in
            let modelName = try ModelReference(parsing: name).model
            let record = try store.model(modelName)
            let versions = name.contains("@") || name.contains("/")
                ? [try store.resolveModel(name)] : try store.modelVersions(modelName)
            return Model(
                name: record.name, created_at: record.createdAt, aliases: record.aliases,
                versions: try versions.map { version in
                    Version(
                        version: version.version, uri: version.uri, aliases: version.aliases,
                        source_run_id: version.sourceRunID, package_path: version.packagePath,
                        package_digest: version.packageDigest, created_at: version.createdAt,
                        lineage: try version.sourceRunID.map { try Self.lineage(store, runID: $0) })
                })
        }
        if output.json {
            try JSONOutput.print(model)
            return
        }
        print("model \(model.name)  (created \(TrackingCLI.time(model.created_at)))")
        let aliases = model.aliases.sorted { $0.key < $1.key }.map { "\($0.key)→\($0.value)" }
        print("aliases: " + (aliases.isEmpty ? "(none)" : aliases.joined(separator: ", ")))
        print("")
        var table = TextTable(["VERSION", "ALIASES", "RUN", "RUN STATUS", "DATASETS", "PACKAGE", "SHA256", "CREATED"])
        for version in model.versions {
            let datasets = version.lineage?.datasets.map { "\($0.role):\($0.versions.first ?? String($0.digest.prefix(12)))" }
            table.add([
                String(version.version), version.aliases.isEmpty ? "-" : version.aliases.joined(separator: ","),
                version.source_run_id ?? "-", version.lineage?.status ?? "-",
                (datasets?.isEmpty ?? true) ? "-" : datasets!.joined(separator: " "), version.package_path,
                String(version.package_digest.prefix(12)), TrackingCLI.time(version.created_at),
            ])
        }
        print(table.render())
    }

    /// The source run of a version, with its datasets; nil fields when the run is gone.
    static func lineage(_ store: TrackingStore, runID: String) throws -> Lineage {
        let run = try store.run(runID)
        return Lineage(
            run_id: run.id, run_name: run.name, experiment: run.experiment, status: run.status.rawValue,
            code_revision: run.codeRevision, final_params_sha256: run.finalParamsSHA256,
            datasets: run.datasets.map { TrackingJSON.DatasetRow(digest: $0.digest, role: $0.role, versions: $0.versions) },
            metrics: Dictionary(uniqueKeysWithValues: run.metrics.map { ($0.key, $0.last) }))
    }
}
