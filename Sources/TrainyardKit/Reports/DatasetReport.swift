import Datasets
import Foundation
import TrackingStore

/// What `data show` reports (its `--json` shape): a version, its schema and statistics, and
/// the runs that used it.
package struct DatasetReport: Encodable {
    package var version: String
    package var name: String
    package var digest: String
    package var format: String
    package var source: String?
    package var rows: Int
    package var features: Int
    package var sizeBytes: Int64
    package var createdAt: Date
    package var schema: DatasetSchema
    package var statistics: DatasetStatistics
    package var runs: [DatasetUse]

    package init(record: DatasetVersionRecord, version: DatasetVersion, runs: [DatasetUse]) {
        self.version = record.versionLabel
        name = record.name
        digest = record.digest
        format = record.format
        source = record.sourcePath
        rows = version.rowCount
        features = version.featureCount
        sizeBytes = record.sizeBytes
        createdAt = record.createdAt
        schema = version.schema
        statistics = version.statistics
        self.runs = runs
    }
}
