import ArgumentParser
import Datasets
import Foundation
import TrainyardKit

/// `trainyard data generate`: a synthetic dataset, reproducible from its seed.
struct DataGenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate a synthetic classification or regression dataset and store it.",
        discussion: """
            Classification: Gaussian-like clusters around one random centre per class; regression:
            a noisy linear target. The same options and seed give the same digest on every machine.
            """
    )

    @Option(name: .long, help: "classification or regression.")
    var kind: String

    @Option(name: .long, help: "Number of rows.")
    var rows: Int

    @Option(name: .long, help: "Number of features.")
    var features: Int

    @Option(name: .long, help: "Number of classes (classification).")
    var classes = 2

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Spread of the class centres; larger is easier to separate.")
    var separation = 1.5

    @Option(name: .long, help: "Dataset name.")
    var name: String

    @OptionGroup var output: OutputOptions

    func run() async throws {
        try DataContext.checkName(name)
        guard let task = TaskKind(rawValue: kind) else {
            throw BadInput("--kind \(kind): expected classification or regression")
        }
        let spec = SyntheticSpec(
            kind: task, rows: rows, features: features, classes: classes, seed: seed,
            separation: separation)
        let context = try DataContext.open(home: .fromEnvironment())
        let outcome: ImportOutcome
        do {
            try spec.validate()
            outcome = try context.store.generate(spec)
        } catch let error as DatasetError {
            throw error.cliError
        }
        let record = try context.register(name: name, outcome: outcome, source: nil)
        try DataAddReport(record: record, outcome: outcome).print(json: output.json)
    }
}
