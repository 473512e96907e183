import ArgumentParser
import Datasets
import Foundation
import TrainyardKit

/// `trainyard data validate PATH --against NAME[@VERSION]`: schema, range and drift checks.
struct DataValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a file against a stored version: schema, value ranges, and drift (PSI, KS).",
        discussion: """
            A column drifted when its PSI is ≥ 0.25, or when the KS test rejects (p ≤ 0.05) and its
            PSI is ≥ 0.1. Exit status 1 when the schema differs, a column drifted, or more than 1% of
            a column's values lie outside the reference range (unseen levels for categorical ones);
            2 when the file cannot be read.
            """
    )

    @Argument(help: "The file to check.")
    var path: String

    @Option(name: .long, help: "The reference: NAME, NAME@<digest prefix> or a digest.")
    var against: String

    @OptionGroup var read: DataReadOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        guard FileManager.default.fileExists(atPath: url.path) else { throw BadInput("\(path): no such file") }
        let context = try DataContext.open(home: .fromEnvironment())
        let (record, version) = try context.resolve(against)
        let report: ValidationReport
        do {
            report = try DatasetValidator.validate(
                file: url, format: try read.sourceFormat(), options: try read.importOptions(),
                against: version, scratch: context.home.datasets)
        } catch let error as DatasetError {
            throw error.cliError
        }
        if output.json {
            try JSONOutput.print(report)
        } else {
            print(report.text(reference: record.versionLabel))
        }
        if !report.passed { throw ExitCode(ExitStatus.failure) }
    }
}
