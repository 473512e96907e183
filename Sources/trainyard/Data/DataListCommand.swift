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

    func run() async throws {
        let context = try DataContext.open(home: .fromEnvironment())
        let records = try context.catalogCall { try context.catalog.datasetVersions(name: name) }
        let listing = DatasetListing(name: name, records: records)
        if output.json { return try JSONOutput.print(listing.entries) }
        print(listing.text)
    }
}
