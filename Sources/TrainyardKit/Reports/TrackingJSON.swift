import Foundation
import TrackingStore

/// The `--json` shapes of the tracking commands (snake_case keys), a contract users' scripts
/// rely on (README "Concepts"); built from the store's records.
package enum TrackingJSON {
    package struct RunRow: Encodable {
        package let id: String
        package let experiment: String
        package let name: String?
        package let status: String
        package let start_time: Date
        package let end_time: Date?
        package let parent_run_id: String?
        package let params: [String: String]
        package let metrics: [String: Double]
        package let tags: [String: String]

        package init(_ run: RunSummary) {
            id = run.id
            experiment = run.experiment
            name = run.name
            status = run.status.rawValue
            start_time = run.startTime
            end_time = run.endTime
            parent_run_id = run.parentRunID
            params = run.params
            metrics = run.metrics
            tags = run.tags
        }
    }

    package struct MetricRow: Encodable {
        package let key: String
        package let last: Double
        package let last_step: Int
        package let min: Double?
        package let max: Double?
        package let count: Int
    }

    package struct ArtifactRow: Encodable {
        package let kind: String
        package let path: String
        package let digest: String
        package let size: Int64
        package let created_at: Date
    }

    package struct DatasetRow: Encodable {
        package let digest: String
        package let role: String
        package let versions: [String]

        package init(digest: String, role: String, versions: [String]) {
            self.digest = digest
            self.role = role
            self.versions = versions
        }
    }

    package struct RunDetail: Encodable {
        package let id: String
        package let experiment: String
        package let name: String?
        package let status: String
        package let start_time: Date
        package let end_time: Date?
        package let duration_seconds: Double?
        package let config: JSONValue
        package let code_revision: String?
        package let host: String?
        package let parent_run_id: String?
        package let final_params_sha256: String?
        package let params: [String: String]
        package let tags: [String: String]
        /// Last value per key.
        package let metrics: [String: Double]
        /// Last, min, max and count per key.
        package let metric_summaries: [MetricRow]
        package let artifacts: [ArtifactRow]
        package let datasets: [DatasetRow]
        package let child_run_ids: [String]
        package let model_versions: [String]

        package init(_ run: RunRecord) {
            id = run.id
            experiment = run.experiment
            name = run.name
            status = run.status.rawValue
            start_time = run.startTime
            end_time = run.endTime
            duration_seconds = run.endTime.map { $0.timeIntervalSince(run.startTime) }
            config = JSONValue(parsing: run.configJSON)
            code_revision = run.codeRevision
            host = run.host
            parent_run_id = run.parentRunID
            final_params_sha256 = run.finalParamsSHA256
            params = run.params
            tags = run.tags
            metrics = Dictionary(uniqueKeysWithValues: run.metrics.map { ($0.key, $0.last) })
            metric_summaries = run.metrics.map {
                MetricRow(key: $0.key, last: $0.last, last_step: $0.lastStep, min: $0.min, max: $0.max, count: $0.count)
            }
            artifacts = run.artifacts.map {
                ArtifactRow(kind: $0.kind, path: $0.path, digest: $0.digest, size: $0.size, created_at: $0.createdAt)
            }
            datasets = run.datasets.map { DatasetRow(digest: $0.digest, role: $0.role, versions: $0.versions) }
            child_run_ids = run.childRunIDs
            model_versions = run.modelVersions
        }
    }
}
