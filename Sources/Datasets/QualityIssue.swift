/// One finding of the import quality checks.
package struct QualityIssue: Sendable, Equatable, Codable {
    /// How bad a finding is: errors abort an import; warnings do too under `--strict`.
    package enum Severity: String, Sendable, Codable { case error, warning }

    /// The checks run at import.
    package enum Check: String, Sendable, Codable, CaseIterable {
        case unparsableValue = "unparsable-value"
        case raggedRow = "ragged-row"
        case missingLabel = "missing-label"
        case zeroRows = "zero-rows"
        case nonFinite = "non-finite"
        case constantColumn = "constant-column"
        case duplicateRows = "duplicate-rows"
        case classImbalance = "class-imbalance"
        case manyMissing = "many-missing"
        case malformed = "malformed"
        case tooManyLevels = "too-many-levels"
    }

    package var check: Check
    package var severity: Severity
    /// The column concerned, when the finding is about one column.
    package var column: String?
    /// What was found, with the position when there is one.
    package var detail: String

    package init(check: Check, severity: Severity, column: String? = nil, detail: String) {
        self.check = check
        self.severity = severity
        self.column = column
        self.detail = detail
    }
}

/// Thresholds of the warning checks. Defaults follow common practice.
package struct QualityThresholds: Sendable, Codable, Equatable {
    /// Warn when a column's missing share is at least this (0...1).
    package var missingShare: Double = 0.2
    /// Warn when the largest class is at least this many times the smallest.
    package var imbalanceRatio: Double = 10
    package init() {}
}

extension DatasetError {
    /// The quality finding that corresponds to this error, for the import table.
    package var qualityIssue: QualityIssue {
        switch self {
        case .unparsableValue(let at, _, _):
            return QualityIssue(
                check: .unparsableValue, severity: .error, column: at.columnName,
                detail: description)
        case .raggedRow:
            return QualityIssue(check: .raggedRow, severity: .error, detail: description)
        case .missingLabelColumn(_, let label, _):
            return QualityIssue(check: .missingLabel, severity: .error, column: label, detail: description)
        case .noRows, .emptyFile:
            return QualityIssue(check: .zeroRows, severity: .error, detail: description)
        case .nonFiniteValue(let at, _):
            return QualityIssue(
                check: .nonFinite, severity: .error, column: at.columnName,
                detail: description)
        case .tooManyLevels(_, let column, _):
            return QualityIssue(check: .tooManyLevels, severity: .error, column: column, detail: description)
        default:
            return QualityIssue(check: .malformed, severity: .error, detail: description)
        }
    }
}
