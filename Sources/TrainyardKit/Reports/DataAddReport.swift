import Datasets
import Foundation
import TrackingStore

/// What `data add` and `data generate` report: the version, its shape and the quality warnings.
package struct DataAddReport: Encodable {
    package var version: String
    package var name: String
    package var digest: String
    package var rows: Int
    package var features: Int
    package var task: String?
    package var classes: [String]?
    package var created: Bool
    package var sizeBytes: Int64
    package var warnings: [QualityIssue]

    package init(record: DatasetVersionRecord, outcome: ImportOutcome) {
        version = record.versionLabel
        name = record.name
        digest = outcome.digest
        rows = Int(outcome.statistics.rows)
        features = outcome.schema.featureCount
        task = outcome.schema.label?.task.rawValue
        classes = outcome.schema.label?.classNames
        created = outcome.created
        sizeBytes = outcome.sizeBytes
        warnings = outcome.warnings
    }
}
