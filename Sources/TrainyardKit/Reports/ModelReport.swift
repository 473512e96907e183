import Foundation
import TrackingStore

/// What `models show` reports (its `--json` shape): a model, its versions and aliases, and each
/// version's lineage back to the run and its datasets.
package struct ModelReport: Encodable {
    package struct Lineage: Encodable {
        package let run_id: String
        package let run_name: String?
        package let experiment: String
        package let status: String
        package let code_revision: String?
        package let final_params_sha256: String?
        package let datasets: [TrackingJSON.DatasetRow]
        package let metrics: [String: Double]
    }

    package struct Version: Encodable {
        package let version: Int
        package let uri: String
        package let aliases: [String]
        package let source_run_id: String?
        package let package_path: String
        package let package_digest: String
        package let created_at: Date
        package let lineage: Lineage?
    }

    package let name: String
    package let created_at: Date
    package let aliases: [String: Int]
    package let versions: [Version]

    /// The model named by `reference`: all versions for NAME, one for NAME/VERSION or NAME@ALIAS.
    /// - Throws: ``TrackingError`` for an unknown model, version or alias.
    package init(_ store: TrackingStore, reference: String) throws {
        let modelName = try ModelReference(parsing: reference).model
        let record = try store.model(modelName)
        let versions =
            reference.contains("@") || reference.contains("/")
            ? [try store.resolveModel(reference)] : try store.modelVersions(modelName)
        name = record.name
        created_at = record.createdAt
        aliases = record.aliases
        self.versions = try versions.map { version in
            Version(
                version: version.version, uri: version.uri, aliases: version.aliases,
                source_run_id: version.sourceRunID, package_path: version.packagePath,
                package_digest: version.packageDigest, created_at: version.createdAt,
                lineage: try version.sourceRunID.map { try Self.lineage(store, runID: $0) })
        }
    }

    package static func lineage(_ store: TrackingStore, runID: String) throws -> Lineage {
        let run = try store.run(runID)
        return Lineage(
            run_id: run.id, run_name: run.name, experiment: run.experiment, status: run.status.rawValue,
            code_revision: run.codeRevision, final_params_sha256: run.finalParamsSHA256,
            datasets: run.datasets.map {
                TrackingJSON.DatasetRow(digest: $0.digest, role: $0.role, versions: $0.versions)
            },
            metrics: Dictionary(uniqueKeysWithValues: run.metrics.map { ($0.key, $0.last) }))
    }
}
