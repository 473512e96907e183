import ArgumentParser
import Foundation
import TrackingStore
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
        let (ids, attributes, params, metrics, differing) = (
            comparison.runs, comparison.attributes, comparison.params, comparison.metrics, comparison.differences
        )

        var rows: [(cells: [String], differs: Bool)] = []
        for field in ["experiment", "name", "status", "duration"] {
            rows.append(
                (["", field] + ids.map { attributes[field]?[$0] ?? "-" }, differing["attributes"]!.contains(field)))
        }
        for key in params.keys.sorted() {
            rows.append(
                (["", "params.\(key)"] + ids.map { params[key]?[$0] ?? "-" }, differing["params"]!.contains(key)))
        }
        for key in metrics.keys.sorted() {
            rows.append(
                (
                    ["", "metrics.\(key)"] + ids.map { TextFormat.number(metrics[key]?[$0]) },
                    differing["metrics"]!.contains(key)
                ))
        }
        var table = TextTable([" ", "FIELD"] + ids)
        let shown = rows.filter { !onlyDifferences || $0.differs }
        for row in shown {
            var cells = row.cells
            cells[0] = row.differs ? "*" : ""
            table.add(cells)
        }
        let bold = TrackingCLI.stdoutIsTerminal
        let lines = table.render().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (index, line) in lines.enumerated() {
            let isDifferent = index >= 2 && shown[index - 2].differs
            print(isDifferent && bold ? "\u{1B}[1m\(line)\u{1B}[0m" : line)
        }
        let count = shown.filter(\.differs).count
        print("\n\(count) of \(rows.count) fields differ")
    }
}
