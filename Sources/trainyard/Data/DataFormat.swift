import Datasets
import Foundation
import TrainyardKit

/// Number formatting for tables.
enum DataFormat {
    static func number(_ value: Double?) -> String {
        guard let value else { return "" }
        if value.isNaN { return "nan" }
        if value == value.rounded(), abs(value) < 1e12 { return String(Int64(value)) }
        return String(format: "%.4g", value)
    }

    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(count)
        var unit = 0
        while value >= 1000, unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(count) B" : String(format: "%.1f", value) + " " + units[unit]
    }

    /// The quality table: check, severity, column, detail.
    static func qualityTable(_ issues: [QualityIssue]) -> String {
        var table = TextTable(["check", "severity", "column", "detail"])
        for issue in issues {
            table.add([issue.check.rawValue, issue.severity.rawValue, issue.column ?? "", issue.detail])
        }
        return table.render()
    }
}
