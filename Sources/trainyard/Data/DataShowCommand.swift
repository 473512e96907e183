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
        print(render(document))
    }

    func render(_ d: DatasetReport) -> String {
        var lines = [
            "\(d.version)  (digest \(d.digest))",
            "rows \(d.rows), features \(d.features), \(TextFormat.decimalBytes(d.sizeBytes)), from \(d.source ?? d.format)",
        ]
        if let label = d.schema.label {
            var text = "label \"\(label.column)\": \(label.task.rawValue)"
            if let names = label.classNames, let counts = d.statistics.classCounts {
                text += " — " + zip(names, counts).map { "\($0)=\($1)" }.joined(separator: ", ")
            }
            lines.append(text)
        } else {
            lines.append("unlabelled")
        }
        var table = TextTable(["column", "kind", "count", "missing", "min", "max", "mean", "std", "median / levels"])
        for column in d.statistics.columns {
            let isLabel = column.name == d.schema.label?.column
            let name = isLabel ? column.name + " (label)" : column.name
            if column.kind == .numeric {
                table.add([
                    name, "numeric", String(column.count), String(column.missing), TextFormat.statistic(column.min),
                    TextFormat.statistic(column.max), TextFormat.statistic(column.mean),
                    TextFormat.statistic(column.std),
                    TextFormat.statistic(column.quantiles?[5]),
                ])
            } else {
                let levels = zip(column.histogram.levels ?? [], column.histogram.counts).prefix(6).map { "\($0)=\($1)" }
                let more = (column.histogram.levels?.count ?? 0) > 6 ? ", …" : ""
                table.add([
                    name, "categorical", String(column.count), String(column.missing), "", "", "", "",
                    levels.joined(separator: ", ") + more,
                ])
            }
        }
        lines.append("")
        lines.append(table.render())
        lines.append("")
        if d.runs.isEmpty {
            lines.append("used by no runs yet")
        } else {
            var runs = TextTable(["run", "name", "status", "role"])
            for run in d.runs { runs.add([run.runID, run.runName ?? "", run.status, run.role]) }
            lines.append("used by \(d.runs.count) run\(d.runs.count == 1 ? "" : "s"):")
            lines.append(runs.render())
        }
        return lines.joined(separator: "\n")
    }
}
