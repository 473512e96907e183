import ArgumentParser
import Datasets
import Foundation
import ModelPackage
import TrainyardKit

/// `trainyard data export NAME[@VERSION] --output FILE.csv`: a dataset version back to CSV.
struct DataExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a dataset version as CSV (raw values, categorical levels and class names as text).",
        discussion: """
            The header names the columns as imported, the label last. Useful to score a data set \
            with `trainyard predict` or to send it to `trainyard serve`. --shift adds a constant to \
            every numeric feature (a drifted copy, for trying drift detection).
            """
    )

    @Argument(help: "NAME, NAME@VERSION or a digest.") var dataset: String
    @Option(name: .long, help: "The CSV file to write (atomically).") var output: String
    @Option(name: .long, help: "Only the first N rows.") var limit: Int?
    @Option(name: .long, help: "Add this to every numeric feature value.") var shift: Double = 0

    func run() throws {
        if let limit, limit < 0 { throw BadInput("--limit must be ≥ 0") }
        let (record, version) = try DataContext.open(home: .fromEnvironment()).resolve(dataset)
        let schema = version.schema
        let rows = min(limit ?? version.rowCount, version.rowCount)
        let columns = schema.featureColumns
        var text =
            (columns.map(\.name) + (schema.label.map { [$0.column] } ?? [])).map(Self.quote).joined(separator: ",")
            + "\n"
        let labels = version.labels()
        for r in 0..<rows {
            let (features, _) = version.rows(r..<(r + 1))
            var fields: [String] = []
            for column in columns {
                let first = column.firstFeature ?? 0
                if column.kind == .categorical, let levels = column.levels {
                    let hot = (0..<column.featureCount).first { features[first + $0] == 1 }
                    fields.append(hot.map { Self.quote(levels[$0]) } ?? "")
                } else {
                    let value = features[first]
                    // Float's shortest form reads back to the same Float; a shift is applied in Double.
                    fields.append(value.isNaN ? "" : shift == 0 ? "\(value)" : "\(Double(value) + shift)")
                }
            }
            if let label = schema.label {
                let value = labels[r]
                fields.append(label.classNames.map { Self.quote($0[Int(value)]) } ?? "\(value)")
            }
            text += fields.joined(separator: ",") + "\n"
        }
        do {
            try AtomicFile.write(Array(text.utf8), to: URL(fileURLWithPath: output))
        } catch {
            throw WorkFailed("cannot write \(output): \(error)")
        }
        printError("wrote \(rows) rows of \(record.versionLabel) to \(output)")
    }

    static func quote(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
