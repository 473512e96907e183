import Foundation
import TrackingStore

/// The `--json` shapes of the tracking commands (snake_case keys; see DESIGN.md
/// "Machine-readable output").
enum TrackingJSON {
    struct RunRow: Encodable {
        let id: String
        let experiment: String
        let name: String?
        let status: String
        let start_time: Date
        let end_time: Date?
        let parent_run_id: String?
        let params: [String: String]
        let metrics: [String: Double]
        let tags: [String: String]

        init(_ run: RunSummary) {
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

    struct MetricRow: Encodable {
        let key: String
        let last: Double
        let last_step: Int
        let min: Double?
        let max: Double?
        let count: Int
    }

    struct ArtifactRow: Encodable {
        let kind: String
        let path: String
        let digest: String
        let size: Int64
        let created_at: Date
    }

    struct DatasetRow: Encodable {
        let digest: String
        let role: String
        let versions: [String]
    }

    struct RunDetail: Encodable {
        let id: String
        let experiment: String
        let name: String?
        let status: String
        let start_time: Date
        let end_time: Date?
        let duration_seconds: Double?
        let config: JSONValue
        let code_revision: String?
        let host: String?
        let parent_run_id: String?
        let final_params_sha256: String?
        let params: [String: String]
        let tags: [String: String]
        /// Last value per key.
        let metrics: [String: Double]
        /// Last, min, max and count per key.
        let metric_summaries: [MetricRow]
        let artifacts: [ArtifactRow]
        let datasets: [DatasetRow]
        let child_run_ids: [String]
        let model_versions: [String]

        init(_ run: RunRecord) {
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
