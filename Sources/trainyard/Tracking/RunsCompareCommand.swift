import ArgumentParser
import Foundation
import TrackingStore

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

    /// `--json`: every value keyed by field then run id, plus the keys that differ.
    struct Comparison: Encodable {
        let runs: [String]
        let attributes: [String: [String: String]]
        let params: [String: [String: String]]
        let metrics: [String: [String: Double]]
        let differences: [String: [String]]
    }

    func validate() throws {
        if runs.count < 2 { throw ValidationError("compare needs at least two runs, got \(runs.count)") }
    }

    func run() throws {
        let store = try TrackingCLI.openStore()
        let records = try TrackingCLI.mapErrors { try runs.map { try store.run($0) } }
        let ids = records.map(\.id)
        if Set(ids).count != ids.count { throw BadInput("the same run is named twice: \(ids.joined(separator: ", "))") }

        var attributes: [String: [String: String]] = [:]
        for record in records {
            let values: [String: String] = [
                "experiment": record.experiment, "name": record.name ?? "-", "status": record.status.rawValue,
                "duration": TrackingCLI.duration(from: record.startTime, to: record.endTime),
            ]
            for (field, value) in values { attributes[field, default: [:]][record.id] = value }
        }
        var params: [String: [String: String]] = [:]
        var metrics: [String: [String: Double]] = [:]
        for record in records {
            for (key, value) in record.params { params[key, default: [:]][record.id] = value }
            for metric in record.metrics { metrics[metric.key, default: [:]][record.id] = metric.last }
        }
        func differs<V: Equatable>(_ values: [String: V]) -> Bool {
            values.count != ids.count || Set(ids.map { id in values[id].map { "\($0)" } ?? "\u{0}" }).count > 1
        }
        let differing: [String: [String]] = [
            "attributes": attributes.keys.filter { differs(attributes[$0]!) }.sorted(),
            "params": params.keys.filter { differs(params[$0]!) }.sorted(),
            "metrics": metrics.keys.filter { differs(metrics[$0]!) }.sorted(),
        ]
        if output.json {
            try JSONOutput.print(Comparison(
                runs: ids, attributes: attributes, params: params, metrics: metrics, differences: differing))
            return
        }

        var rows: [(cells: [String], differs: Bool)] = []
        for field in ["experiment", "name", "status", "duration"] {
            rows.append((["", field] + ids.map { attributes[field]?[$0] ?? "-" }, differing["attributes"]!.contains(field)))
        }
        for key in params.keys.sorted() {
            rows.append((["", "params.\(key)"] + ids.map { params[key]?[$0] ?? "-" }, differing["params"]!.contains(key)))
        }
        for key in metrics.keys.sorted() {
            rows.append((["", "metrics.\(key)"] + ids.map { TrackingCLI.number(metrics[key]?[$0]) },
                         differing["metrics"]!.contains(key)))
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
