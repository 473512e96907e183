import ArgumentParser
import Foundation
import ModelPackage
import TrainyardKit

/// `trainyard predict NAME@ALIAS --input FILE.csv [--output FILE]`: score a CSV file.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Score a CSV file with a registered model (or a package directory).",
        discussion: """
            The input needs a header naming the model's input columns (extra columns such as the \
            label or an id are ignored). The package's fitted transforms are applied. Writes CSV \
            in the input's row order: a `prediction` column and, for classifiers, one probability \
            column per class (`p_<label>`). To standard output unless --output is given.
            """)

    @Argument(help: "NAME@ALIAS, NAME/VERSION, models:/… or a package directory.") var model: String
    @Option(name: .long, help: "The CSV file to score.") var input: String
    @Option(name: .long, help: "Where to write the predictions (written atomically).") var output: String?

    func run() throws {
        let resolved = try ModelPackages.open(model, home: .fromEnvironment())
        let inputURL = URL(fileURLWithPath: input)
        guard FileManager.default.isReadableFile(atPath: inputURL.path) else {
            throw BadInput("\(input): no such readable file")
        }
        let predictor = try resolved.package.predictor()
        let summary: ScoringSummary
        do {
            summary = try CSVScoring.score(
                csv: inputURL, predictor: predictor,
                encoder: InputEncoder(schema: resolved.package.manifest.input),
                output: output.map { URL(fileURLWithPath: $0) })
        } catch let error as ModelPackageError {
            throw BadInput("\(input): \(error)")
        }
        if let text = summary.text { FileHandle.standardOutput.write(Data(text.utf8)) }
        for (column, count) in summary.unseenLevels.sorted(by: { $0.key < $1.key }) {
            printError("warning: \(count) row(s) have a value of \(column) not seen in training (encoded as all zeros)")
        }
        printError("scored \(summary.rows) rows with \(resolved.label)" + (output.map { " → \($0)" } ?? ""))
    }
}
