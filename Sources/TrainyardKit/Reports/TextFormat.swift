import Datasets
import Foundation

/// A plain-text table with aligned columns, for human-readable listings.
///
/// Numeric-looking cells are right-aligned, everything else left-aligned.
package struct TextTable {
    package var header: [String]
    package var rows: [[String]] = []

    package init(_ header: [String]) { self.header = header }

    package mutating func add(_ row: [String]) { rows.append(row) }

    /// The rendered table, one line per row, with a rule under the header.
    package func render() -> String {
        let columns = header.count
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.prefix(columns).enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            (0..<columns).map { i in
                let cell = i < cells.count ? cells[i] : ""
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return Self.isNumeric(cell) ? pad + cell : cell + pad
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        var out = [line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        out += rows.map(line)
        return out.joined(separator: "\n")
    }

    /// The rendered table indented by `prefix` on every line.
    package func render(indentedBy prefix: String) -> [String] {
        render().split(separator: "\n").map { prefix + $0 }
    }

    private static func isNumeric(_ s: String) -> Bool {
        !s.isEmpty && Double(s) != nil
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}

/// How values are spelled in tables and summaries: times, metric values, sizes, durations.
package enum TextFormat {
    /// `2026-11-27 04:30:05` (UTC), "-" for none.
    /// Formatted with `gmtime_r`: a `DateFormatter` per row made long listings slow.
    package static func time(_ date: Date?) -> String {
        guard let date else { return "-" }
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    /// A metric value with 6 significant digits (`nan`, `inf` spelled out), "-" for none.
    package static func number(_ value: Double?) -> String {
        guard let value else { return "-" }
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        return String(format: "%.6g", value)
    }

    /// A dataset statistic: whole numbers as integers, others with 4 significant digits, "" for none.
    package static func statistic(_ value: Double?) -> String {
        guard let value else { return "" }
        if value.isNaN { return "nan" }
        if value == value.rounded(), abs(value) < 1e12 { return String(Int64(value)) }
        return String(format: "%.4g", value)
    }

    /// Bytes in binary units: `512 B`, `1.5 KiB`, `3.2 MiB`, `1.1 GiB`.
    package static func bytes(_ count: Int64) -> String {
        scaled(count, base: 1024, units: ["B", "KiB", "MiB", "GiB", "TiB"])
    }

    /// Bytes in decimal units, as dataset sizes are shown: `512 B`, `1.5 KB`, `3.2 MB`.
    package static func decimalBytes(_ count: Int64) -> String {
        scaled(count, base: 1000, units: ["B", "KB", "MB", "GB", "TB"])
    }

    private static func scaled(_ count: Int64, base: Double, units: [String]) -> String {
        var value = Double(count)
        var unit = 0
        while value >= base, unit < units.count - 1 {
            value /= base
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f", value) + " " + units[unit]
    }

    /// `1h02m`, `3m12s`, `4.2s` between two times; "-" while there is no end.
    package static func duration(from start: Date, to end: Date?) -> String {
        guard let end else { return "-" }
        let seconds = max(0, end.timeIntervalSince(start))
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let whole = Int(seconds)
        if whole < 3600 { return String(format: "%dm%02ds", whole / 60, whole % 60) }
        return String(format: "%dh%02dm", whole / 3600, (whole % 3600) / 60)
    }

    /// `1h2m`, `3m12s`, `42s`: whole seconds, unpadded, as the live progress line shows an ETA.
    package static func remaining(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(s % 3600 / 60)m" : s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
    }

    /// The quality table of a dataset import: check, severity, column, detail.
    package static func qualityTable(_ issues: [QualityIssue]) -> String {
        var table = TextTable(["check", "severity", "column", "detail"])
        for issue in issues {
            table.add([issue.check.rawValue, issue.severity.rawValue, issue.column ?? "", issue.detail])
        }
        return table.render()
    }
}
