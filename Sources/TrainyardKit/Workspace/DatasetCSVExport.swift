import Datasets
import Foundation
import ModelPackage

/// A dataset version written back as CSV: raw values, categorical levels and class names as
/// text, the columns named as imported and the label last.
package enum DatasetCSVExport {
    /// Writes the first `limit` rows of `version` (all when nil) to `path` atomically, with
    /// `shift` added to every numeric feature value.
    /// - Returns: the number of rows written.
    /// - Throws: ``WorkFailed`` when the file cannot be written.
    package static func write(_ version: DatasetVersion, limit: Int?, shift: Double, to path: String) throws -> Int {
        let rows = min(limit ?? version.rowCount, version.rowCount)
        let text = csv(version, rows: rows, shift: shift)
        do {
            try AtomicFile.write(Array(text.utf8), to: URL(fileURLWithPath: path))
        } catch {
            throw WorkFailed("cannot write \(path): \(error)")
        }
        return rows
    }

    /// The header and the first `rows` rows of `version` as CSV text.
    package static func csv(_ version: DatasetVersion, rows: Int, shift: Double) -> String {
        let schema = version.schema
        let columns = schema.featureColumns
        var text =
            (columns.map(\.name) + (schema.label.map { [$0.column] } ?? [])).map(quote).joined(separator: ",") + "\n"
        let labels = version.labels()
        for r in 0..<rows {
            let (features, _) = version.rows(r..<(r + 1))
            var fields: [String] = []
            for column in columns {
                let first = column.firstFeature ?? 0
                if column.kind == .categorical, let levels = column.levels {
                    let hot = (0..<column.featureCount).first { features[first + $0] == 1 }
                    fields.append(hot.map { quote(levels[$0]) } ?? "")
                } else {
                    let value = features[first]
                    // Float's shortest form reads back to the same Float; a shift is applied in Double.
                    fields.append(value.isNaN ? "" : shift == 0 ? "\(value)" : "\(Double(value) + shift)")
                }
            }
            if let label = schema.label {
                let value = labels[r]
                fields.append(label.classNames.map { quote($0[Int(value)]) } ?? "\(value)")
            }
            text += fields.joined(separator: ",") + "\n"
        }
        return text
    }

    /// `s`, quoted (inner quotes doubled) when it holds a comma, a quote or a line break.
    private static func quote(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
