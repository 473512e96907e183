import Datasets
import Foundation

extension DatasetReport {
    /// What `data show` prints: the version, its label, a table of column statistics, and the
    /// runs that used it.
    package var text: String {
        var lines = [
            "\(version)  (digest \(digest))",
            "rows \(rows), features \(features), \(TextFormat.decimalBytes(sizeBytes)), from \(source ?? format)",
        ]
        if let label = schema.label {
            var text = "label \"\(label.column)\": \(label.task.rawValue)"
            if let names = label.classNames, let counts = statistics.classCounts {
                text += " — " + zip(names, counts).map { "\($0)=\($1)" }.joined(separator: ", ")
            }
            lines.append(text)
        } else {
            lines.append("unlabelled")
        }
        var table = TextTable(["column", "kind", "count", "missing", "min", "max", "mean", "std", "median / levels"])
        for column in statistics.columns {
            let isLabel = column.name == schema.label?.column
            let name = isLabel ? column.name + " (label)" : column.name
            if column.kind == .numeric {
                table.add(
                    [name, "numeric", String(column.count), String(column.missing)]
                        + [column.min, column.max, column.mean, column.std, column.quantiles?[5]].map(
                            TextFormat.statistic))
            } else {
                let levels = zip(column.histogram.levels ?? [], column.histogram.counts).prefix(6).map { "\($0)=\($1)" }
                let more = (column.histogram.levels?.count ?? 0) > 6 ? ", …" : ""
                table.add([
                    name, "categorical", String(column.count), String(column.missing), "", "", "", "",
                    levels.joined(separator: ", ") + more,
                ])
            }
        }
        lines += ["", table.render(), ""]
        if runs.isEmpty {
            lines.append("used by no runs yet")
        } else {
            var table = TextTable(["run", "name", "status", "role"])
            for run in runs { table.add([run.runID, run.runName ?? "", run.status, run.role]) }
            lines.append("used by \(runs.count) run\(runs.count == 1 ? "" : "s"):")
            lines.append(table.render())
        }
        return lines.joined(separator: "\n")
    }
}
