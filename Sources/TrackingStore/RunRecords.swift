import Foundation

/// The life-cycle state of a run (MLflow's names).
public enum RunStatus: String, Codable, Sendable, CaseIterable {
    case running = "RUNNING"
    case scheduled = "SCHEDULED"
    case finished = "FINISHED"
    case failed = "FAILED"
    case killed = "KILLED"

    /// Parses a status case-insensitively ("finished", "FINISHED").
    /// - Throws: `invalidArgument` listing the valid statuses.
    public init(parsing text: String) throws {
        guard let status = RunStatus(rawValue: text.uppercased()) else {
            throw TrackingError.invalidArgument(
                field: "status", value: text,
                reason: "expected one of " + RunStatus.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self = status
    }

    /// True for FINISHED, FAILED and KILLED.
    public var isTerminal: Bool { self == .finished || self == .failed || self == .killed }
}

/// One point of a metric series.
public struct MetricPoint: Codable, Sendable, Equatable {
    /// The run the point belongs to (used by batched logging; ignored by reads).
    public var runID: String
    public var key: String
    /// Training step (or epoch, by the caller's convention); series are ordered by step.
    public var step: Int
    /// The value; NaN and infinities are kept.
    public var value: Double
    /// Wall-clock time the point was measured.
    public var timestamp: Date

    public init(runID: String, key: String, step: Int, value: Double, timestamp: Date = Date()) {
        self.runID = runID
        self.key = key
        self.step = step
        self.value = value
        self.timestamp = timestamp
    }
}

/// The summary of one metric series of a run.
public struct MetricSummary: Codable, Sendable, Equatable {
    public var key: String
    /// Value at the highest step (the most recently logged among equal steps).
    public var last: Double
    public var lastStep: Int
    /// Smallest and largest non-NaN values (nil when every value is NaN).
    public var min: Double?
    public var max: Double?
    /// Number of points.
    public var count: Int
}

/// A file a run produced, stored under `TRAINYARD_HOME`.
public struct ArtifactRecord: Codable, Sendable, Equatable {
    /// "checkpoint", "package", "plot", ...
    public var kind: String
    /// Relative to `TRAINYARD_HOME` (never absolute, never containing `..`).
    public var path: String
    /// SHA-256 hex digest of the content (or of the package manifest for directories).
    public var digest: String
    public var size: Int64
    public var createdAt: Date
}

/// A dataset version a run used, with its role.
public struct RunDataset: Codable, Sendable, Equatable {
    public var digest: String
    public var role: String
    /// `NAME@<12 hex>` labels of the catalog entries with this digest (usually one).
    public var versions: [String]
}

/// Everything recorded about a run.
public struct RunRecord: Codable, Sendable, Equatable {
    public var id: String
    public var experiment: String
    public var name: String?
    public var status: RunStatus
    public var startTime: Date
    public var endTime: Date?
    /// The full resolved job configuration, as JSON.
    public var configJSON: String
    public var codeRevision: String?
    public var host: String?
    /// The sweep (or parent) run this run is a trial of.
    public var parentRunID: String?
    /// SHA-256 of the final parameter bytes, set by ``TrackingStore/finishRun(_:status:endTime:finalParamsSHA256:)``.
    public var finalParamsSHA256: String?
    public var params: [String: String]
    public var tags: [String: String]
    /// One summary per metric key, sorted by key.
    public var metrics: [MetricSummary]
    public var artifacts: [ArtifactRecord]
    public var datasets: [RunDataset]
    /// Trials started with this run as parent, oldest first.
    public var childRunIDs: [String]
    /// Model versions registered from this run, as `name/version`.
    public var modelVersions: [String]
}

/// A row of `listRuns`: the run's attributes with its params and last metric values.
public struct RunSummary: Codable, Sendable, Equatable {
    public var id: String
    public var experiment: String
    public var name: String?
    public var status: RunStatus
    public var startTime: Date
    public var endTime: Date?
    public var parentRunID: String?
    public var params: [String: String]
    /// Last value per metric key.
    public var metrics: [String: Double]
    public var tags: [String: String]
}

/// An experiment: a named group of runs.
public struct ExperimentRecord: Codable, Sendable, Equatable {
    public var name: String
    public var createdAt: Date
    public var runCount: Int
}
