import Foundation
import TrackingStore

/// What `data list` reports: the catalogued dataset versions, newest first (its `--json` rows).
package struct DatasetListing {
    /// One catalogued version.
    package struct Entry: Encodable {
        package var version: String
        package var name: String
        package var digest: String
        package var format: String
        package var rows: Int
        package var features: Int
        package var label: String?
        package var task: String?
        package var source: String?
        package var sizeBytes: Int64
        package var createdAt: Date

        package init(_ r: DatasetVersionRecord) {
            version = r.versionLabel
            name = r.name
            digest = r.digest
            format = r.format
            rows = r.rows
            features = r.features
            label = r.label
            task = r.task
            source = r.sourcePath
            sizeBytes = r.sizeBytes
            createdAt = r.createdAt
        }
    }

    /// The dataset name asked for, if any (it shapes the sentence for an empty listing).
    package let name: String?
    package let entries: [Entry]

    package init(name: String?, records: [DatasetVersionRecord]) {
        self.name = name
        entries = records.map(Entry.init)
    }

    /// The table `data list` prints, or a sentence when there is nothing to list.
    package var text: String {
        if entries.isEmpty {
            return name.map { "no versions of dataset \"\($0)\"" }
                ?? "no datasets yet; add one with `trainyard data add PATH --name NAME`"
        }
        var table = TextTable(["version", "rows", "features", "task", "format", "size", "created"])
        let formatter = ISO8601DateFormatter()
        for e in entries {
            table.add([
                e.version, String(e.rows), String(e.features), e.task ?? "-", e.format,
                TextFormat.decimalBytes(e.sizeBytes), formatter.string(from: e.createdAt),
            ])
        }
        return table.render()
    }
}
