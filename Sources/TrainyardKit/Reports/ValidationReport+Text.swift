import Datasets
import Foundation

extension ValidationReport {
    /// What `data validate` prints: schema problems, a table of per-column drift and range
    /// checks, and the verdict; `reference` names the version checked against.
    package func text(reference: String) -> String {
        var lines = ["\(file): \(rows) rows against \(reference)"]
        for problem in schemaProblems { lines.append("schema: \(problem)") }
        var table = TextTable(["column", "kind", "psi", "shift", "ks_stat", "ks_p", "out_of_range", "status"])
        for c in columns {
            let status = c.drifted ? "DRIFT" : c.rangeFailed ? "RANGE" : "ok"
            table.add([
                c.column, c.kind.rawValue, String(format: "%.4f", c.psi), c.psiLevel,
                c.ksStatistic.map { String(format: "%.4f", $0) } ?? "",
                c.ksPValue.map { String(format: "%.3g", $0) } ?? "",
                String(c.outOfRange), status,
            ])
        }
        lines.append(table.render())
        let drifted = columns.filter(\.drifted).map(\.column)
        if passed {
            lines.append("PASSED: no drift, schema and ranges match")
        } else {
            var reasons: [String] = []
            if !schemaProblems.isEmpty { reasons.append("schema differs") }
            if !drifted.isEmpty {
                reasons.append(
                    "\(drifted.count) of \(columns.count) columns drifted: " + drifted.joined(separator: ", "))
            }
            let ranged = columns.filter(\.rangeFailed).map(\.column)
            if !ranged.isEmpty { reasons.append("values out of range in: " + ranged.joined(separator: ", ")) }
            lines.append("FAILED: " + reasons.joined(separator: "; "))
        }
        return lines.joined(separator: "\n")
    }
}
