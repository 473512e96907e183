import ArgumentParser
import Datasets
import Foundation
import TrackingStore
import TrainyardKit

/// `trainyard data add PATH --name NAME`: parse, check, store and catalogue a dataset version.
struct DataAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Import a CSV, LIBSVM or .npy file as an immutable dataset version.",
        discussion: """
            Prints the quality checks as a table and, on the last line, the version as
            NAME@<12 hex digits>. Errors (unparsable values, ragged rows, a missing label column,
            zero rows, non-finite values) abort the import and store nothing; --strict does the
            same for warnings (constant columns, duplicate rows, class imbalance, many missing).
            """
    )

    @Argument(help: "The file to import.")
    var path: String

    @Option(name: .long, help: "Dataset name ([A-Za-z0-9._-], up to 128 characters).")
    var name: String

    @Option(
        name: .long,
        help:
            "Label column (CSV: a name; npy: a 0-based index or 'last'). Default: a column named label, target, class or y; npy: the last column."
    )
    var label: String?

    @Flag(name: .long, help: "The file has no label column.")
    var unlabeled = false

    @Option(name: .long, help: "Override the inferred task: classification or regression.")
    var task: String?

    @Flag(name: .long, help: "Treat quality warnings as errors.")
    var strict = false

    @Option(name: .long, help: "Most distinct values a categorical column may have.")
    var maxLevels = 1000

    @OptionGroup var read: DataReadOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try DataContext.checkName(name)
        var options = try read.importOptions()
        if unlabeled, label != nil { throw BadInput("--label and --unlabeled contradict each other") }
        options.label = unlabeled ? .none : label.map { .named($0) } ?? .conventional
        if let task {
            guard let parsed = TaskKind(rawValue: task) else {
                throw BadInput("--task \(task): expected classification or regression")
            }
            options.task = parsed
        }
        options.strict = strict
        options.maxLevels = maxLevels
        let url = URL(fileURLWithPath: path).standardizedFileURL
        guard FileManager.default.fileExists(atPath: url.path) else { throw BadInput("\(path): no such file") }
        let context = try DataContext.open(home: .fromEnvironment())
        let outcome: ImportOutcome
        do {
            outcome = try context.store.importFile(at: url, format: try read.sourceFormat(), options: options)
        } catch let error as DatasetError {
            if case .qualityChecksFailed(let issues) = error {
                printError(TextFormat.qualityTable(issues))
                throw BadInput("quality checks failed under --strict; nothing was stored")
            }
            if error.isBadInput { printError(TextFormat.qualityTable([error.qualityIssue])) }
            throw error.cliError
        }
        let record = try context.register(name: name, outcome: outcome, source: url.path)
        try DataAddReport(record: record, outcome: outcome).print(json: output.json)
    }
}

extension DataAddReport {
    /// Prints the report, as JSON or as text.
    func print(json: Bool) throws {
        if json { return try JSONOutput.print(self) }
        Swift.print(text)
    }
}
