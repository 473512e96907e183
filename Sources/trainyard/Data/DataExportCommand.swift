import ArgumentParser
import Datasets
import Foundation
import ModelPackage
import TrainyardKit

/// `trainyard data export NAME[@VERSION] --output FILE.csv`: a dataset version back to CSV.
struct DataExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a dataset version as CSV (raw values, categorical levels and class names as text).",
        discussion: """
            The header names the columns as imported, the label last. Useful to score a data set \
            with `trainyard predict` or to send it to `trainyard serve`. --shift adds a constant to \
            every numeric feature (a drifted copy, for trying drift detection).
            """
    )

    @Argument(help: "NAME, NAME@VERSION or a digest.") var dataset: String
    @Option(name: .long, help: "The CSV file to write (atomically).") var output: String
    @Option(name: .long, help: "Only the first N rows.") var limit: Int?
    @Option(name: .long, help: "Add this to every numeric feature value.") var shift: Double = 0

    func run() throws {
        if let limit, limit < 0 { throw BadInput("--limit must be ≥ 0") }
        let (record, version) = try DataContext.open(home: .fromEnvironment()).resolve(dataset)
        let rows = try DatasetCSVExport.write(version, limit: limit, shift: shift, to: output)
        printError("wrote \(rows) rows of \(record.versionLabel) to \(output)")
    }
}
