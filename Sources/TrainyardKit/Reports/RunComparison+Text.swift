import Foundation

extension RunComparison {
    /// The side-by-side table of `runs compare`: its lines, which of them differ, and the count.
    package struct Table {
        /// The rendered lines: header, rule, then one per shown field.
        package let lines: [String]
        /// For each line, whether it is a field whose values differ (the CLI makes those bold).
        package let differs: [Bool]
        /// `N of M fields differ`.
        package let summary: String
    }

    /// Every field (attributes, params, metrics) with its value per run, marked `*` where they differ;
    /// with `onlyDifferences`, only the differing rows.
    package func table(onlyDifferences: Bool) -> Table {
        var rows: [(cells: [String], differs: Bool)] = []
        for field in ["experiment", "name", "status", "duration"] {
            rows.append(
                (["", field] + runs.map { attributes[field]?[$0] ?? "-" }, differences["attributes"]!.contains(field)))
        }
        for key in params.keys.sorted() {
            rows.append(
                (["", "params.\(key)"] + runs.map { params[key]?[$0] ?? "-" }, differences["params"]!.contains(key)))
        }
        for key in metrics.keys.sorted() {
            rows.append(
                (
                    ["", "metrics.\(key)"] + runs.map { TextFormat.number(metrics[key]?[$0]) },
                    differences["metrics"]!.contains(key)
                ))
        }
        var table = TextTable([" ", "FIELD"] + runs)
        let shown = rows.filter { !onlyDifferences || $0.differs }
        for row in shown {
            var cells = row.cells
            cells[0] = row.differs ? "*" : ""
            table.add(cells)
        }
        let lines = table.render().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return Table(
            lines: lines, differs: lines.indices.map { $0 >= 2 && shown[$0 - 2].differs },
            summary: "\(shown.filter(\.differs).count) of \(rows.count) fields differ")
    }
}
