/// The warning checks run on a fully read dataset (errors are thrown while reading).
package enum QualityReport {
    /// Constant columns, duplicate rows, strong class imbalance, and columns with many missing
    /// values, in column order.
    package static func warnings(
        schema: DatasetSchema, statistics: DatasetStatistics, thresholds: QualityThresholds,
        firstDuplicateRow: Int64? = nil
    ) -> [QualityIssue] {
        var issues: [QualityIssue] = []
        let rows = max(1, statistics.rows)
        for column in statistics.columns {
            let share = Double(column.missing) / Double(rows)
            if column.missing > 0, share >= thresholds.missingShare {
                issues.append(
                    QualityIssue(
                        check: .manyMissing, severity: .warning, column: column.name,
                        detail: "\(column.missing) of \(statistics.rows) values missing (\(percent(share)))"))
            }
            if column.name == schema.label?.column { continue }
            switch column.kind {
            case .numeric:
                if let lo = column.min, let hi = column.max, lo == hi, statistics.rows > 1 {
                    issues.append(
                        QualityIssue(
                            check: .constantColumn, severity: .warning, column: column.name,
                            detail: "every value is \(format(lo))"))
                }
            case .categorical:
                let present = column.histogram.counts.filter { $0 > 0 }.count
                if present == 1, statistics.rows > 1, column.missing == 0 {
                    issues.append(
                        QualityIssue(
                            check: .constantColumn, severity: .warning, column: column.name,
                            detail: "every value is \"\(column.histogram.levels?.first ?? "")\""))
                }
            }
        }
        if statistics.duplicateRows > 0 {
            let first = firstDuplicateRow.map { " (first: data row \($0 + 1))" } ?? ""
            issues.append(
                QualityIssue(
                    check: .duplicateRows, severity: .warning,
                    detail: "\(statistics.duplicateRows) rows repeat an earlier row\(first)"))
        }
        if let counts = statistics.classCounts, counts.count > 1, let names = schema.label?.classNames,
            let most = counts.max(), let least = counts.min(), least > 0,
            Double(most) / Double(least) >= thresholds.imbalanceRatio
        {
            let big = names[counts.firstIndex(of: most)!]
            let small = names[counts.firstIndex(of: least)!]
            issues.append(
                QualityIssue(
                    check: .classImbalance, severity: .warning, column: schema.label?.column,
                    detail: "class \"\(big)\" has \(most) rows, class \"\(small)\" only \(least) "
                        + "(ratio \(format(Double(most) / Double(least))))"))
        }
        return issues
    }

    static func percent(_ share: Double) -> String {
        let tenths = (share * 1000).rounded() / 10
        return "\(tenths)%"
    }

    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
