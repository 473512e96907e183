import ArgumentParser
import Foundation
import TrainyardKit

/// `trainyard runs compare RUN RUN...`: params and metrics side by side, differences marked.
struct RunsCompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare runs side by side: params and last metric values, differences highlighted.",
        discussion: "Rows that differ are marked with '*' (and bold on a terminal).")

    @Argument(help: "Two or more runs (ids, unique prefixes or names).")
    var runs: [String]

    @Flag(help: "Show only the rows that differ.")
    var onlyDifferences = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if runs.count < 2 { throw ValidationError("compare needs at least two runs, got \(runs.count)") }
    }

    func run() throws {
        let store = try TrackingAccess.open(.fromEnvironment())
        let records = try TrackingAccess.mapErrors { try runs.map { try store.run($0) } }
        let comparison = try RunComparison(records)
        if output.json { return try JSONOutput.print(comparison) }
        let table = comparison.table(onlyDifferences: onlyDifferences)
        let bold = TrackingCLI.stdoutIsTerminal
        for (line, differs) in zip(table.lines, table.differs) {
            print(differs && bold ? "\u{1B}[1m\(line)\u{1B}[0m" : line)
        }
        print("\n" + table.summary)
    }
}
