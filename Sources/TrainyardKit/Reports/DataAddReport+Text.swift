import Foundation

extension DataAddReport {
    /// What `data add` and `data generate` print: the quality warnings, the shape and the version.
    package var text: String {
        var lines: [String] = []
        if !warnings.isEmpty { lines.append(TextFormat.qualityTable(warnings)) }
        let what = created ? "stored" : "already stored (identical content)"
        let kind = task.map { ", \($0)" + (classes.map { " with \($0.count) classes" } ?? "") } ?? ", unlabelled"
        lines.append("\(what): \(rows) rows × \(features) features\(kind), \(TextFormat.decimalBytes(sizeBytes))")
        lines.append(version)
        return lines.joined(separator: "\n")
    }
}
