import ArgumentParser
import Datasets
import Foundation
import TrackingStore
import TrainyardKit

/// `trainyard data show NAME[@VERSION]`: schema, statistics and the runs that used a version.
struct DataShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a dataset version: schema, statistics, and which runs used it."
    )

    @Argument(help: "NAME (newest version), NAME@<digest prefix> or a full digest.")
    var reference: String

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let context = try DataContext.open(home: .fromEnvironment())
        let (record, version) = try context.resolve(reference)
        let runs = try context.catalogCall { try context.catalog.runsUsingDataset(digest: record.digest) }
        let document = DatasetReport(record: record, version: version, runs: runs)
        if output.json { return try JSONOutput.print(document) }
        print(document.text)
    }
}
