import Foundation

/// The life-cycle state of a run (MLflow's names).
package enum RunStatus: String, Codable, Sendable, CaseIterable {
    case running = "RUNNING"
    case scheduled = "SCHEDULED"
    case finished = "FINISHED"
    case failed = "FAILED"
    case killed = "KILLED"

    /// Parses a status case-insensitively ("finished", "FINISHED").
    /// - Throws: `invalidArgument` listing the valid statuses.
    package init(parsing text: String) throws {
        guard let status = RunStatus(rawValue: text.uppercased()) else {
            throw TrackingError.invalidArgument(
                field: "status", value: text,
                reason: "expected one of " + RunStatus.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self = status
    }

    /// True for FINISHED, FAILED and KILLED.
    package var isTerminal: Bool { self == .finished || self == .failed || self == .killed }
}

/// One point of a metric series.
package struct MetricPoint: Codable, Sendable, Equatable {
    /// The run the point belongs to (used by batched logging; ignored by reads).
    package var runID: String
    package var key: String
    /// Training step (or epoch, by the caller's convention); series are ordered by step.
    package var step: Int
    /// The value; NaN and infinities are kept.
    package var value: Double
    /// Wall-clock time the point was measured.
    package var timestamp: Date

    package init(runID: String, key: String, step: Int, value: Double, timestamp: Date = Date()) {
        self.runID = runID
        self.key = key
        self.step = step
        self.value = value
        self.timestamp = timestamp
    }
}

/// The summary of one metric series of a run.
package struct MetricSummary: Codable, Sendable, Equatable {
    package var key: String
    /// Value at the highest step (the most recently logged among equal steps).
    package var last: Double
    package var lastStep: Int
    /// Smallest and largest non-NaN values (nil when every value is NaN).
    package var min: Double?
    package var max: Double?
    /// Number of points.
    package var count: Int
}

/// A file a run produced, stored under `TRAINYARD_HOME`.
package struct ArtifactRecord: Codable, Sendable, Equatable {
    /// "checkpoint", "package", "plot", ...
    package var kind: String
    /// Relative to `TRAINYARD_HOME` (never absolute, never containing `..`).
    package var path: String
    /// SHA-256 hex digest of the content (or of the package manifest for directories).
    package var digest: String
    package var size: Int64
    package var createdAt: Date
}

/// A dataset version a run used, with its role.
package struct RunDataset: Codable, Sendable, Equatable {
    package var digest: String
    package var role: String
    /// `NAME@<12 hex>` labels of the catalog entries with this digest (usually one).
    package var versions: [String]
}

/// Everything recorded about a run.
package struct RunRecord: Codable, Sendable, Equatable {
    package var id: String
    package var experiment: String
    package var name: String?
    package var status: RunStatus
    package var startTime: Date
    package var endTime: Date?
    /// The full resolved job configuration, as JSON.
    package var configJSON: String
    package var codeRevision: String?
    package var host: String?
    /// The sweep (or parent) run this run is a trial of.
    package var parentRunID: String?
    /// SHA-256 of the final parameter bytes, set by ``TrackingStore/finishRun(_:status:endTime:finalParamsSHA256:)``.
    package var finalParamsSHA256: String?
    package var params: [String: String]
    package var tags: [String: String]
    /// One summary per metric key, sorted by key.
    package var metrics: [MetricSummary]
    package var artifacts: [ArtifactRecord]
    package var datasets: [RunDataset]
    /// Trials started with this run as parent, oldest first.
    package var childRunIDs: [String]
    /// Model versions registered from this run, as `name/version`.
    package var modelVersions: [String]
}

/// A row of `listRuns`: the run's attributes with its params and last metric values.
package struct RunSummary: Codable, Sendable, Equatable {
    package var id: String
    package var experiment: String
    package var name: String?
    package var status: RunStatus
    package var startTime: Date
    package var endTime: Date?
    package var parentRunID: String?
    package var params: [String: String]
    /// Last value per metric key.
    package var metrics: [String: Double]
    package var tags: [String: String]
}

/// An experiment: a named group of runs.
package struct ExperimentRecord: Codable, Sendable, Equatable {
    package var name: String
    package var createdAt: Date
    package var runCount: Int
}
