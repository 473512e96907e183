import ArgumentParser
import Datasets
import Foundation
import TrackingStore
import TrainyardKit

/// `trainyard data list [NAME]`: the catalogued dataset versions, newest first.
struct DataListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List dataset versions, newest first."
    )

    @Argument(help: "Only versions of this dataset name.")
    var name: String?

    @OptionGroup var output: OutputOptions

    struct Entry: Encodable {
        var version: String
        var name: String
        var digest: String
        var format: String
        var rows: Int
        var features: Int
        var label: String?
        var task: String?
        var source: String?
        var sizeBytes: Int64
        var createdAt: Date

        init(_ r: DatasetVersionRecord) {
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

    func run() async throws {
        let context = try DataContext.open(home: .fromEnvironment())
        let records = try context.catalogCall { try context.catalog.datasetVersions(name: name) }
        let entries = records.map(Entry.init)
        if output.json { return try JSONOutput.print(entries) }
        if entries.isEmpty {
            print(
                name.map { "no versions of dataset \"\($0)\"" }
                    ?? "no datasets yet; add one with `trainyard data add PATH --name NAME`")
            return
        }
        var table = TextTable(["version", "rows", "features", "task", "format", "size", "created"])
        let formatter = ISO8601DateFormatter()
        for e in entries {
            table.add([
                e.version, String(e.rows), String(e.features), e.task ?? "-", e.format,
                TextFormat.decimalBytes(e.sizeBytes),
                formatter.string(from: e.createdAt),
            ])
        }
        print(table.render())
    }
}
