import Foundation

/// Where in a source file a problem was found: file, 1-based line, and (when known) the 1-based
/// column (field) number with its name.
package struct SourcePosition: Sendable, Equatable, Codable, CustomStringConvertible {
    package var file: String
    package var line: Int?
    package var column: Int?
    package var columnName: String?

    package init(file: String, line: Int? = nil, column: Int? = nil, columnName: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.columnName = columnName
    }

    /// `FILE:LINE: column N ("name")`.
    package var description: String {
        var s = file
        if let line { s += ":\(line)" }
        if let column {
            s += ": column \(column)"
            if let columnName { s += " (\"\(columnName)\")" }
        } else if let columnName {
            s += ": column \"\(columnName)\""
        }
        return s
    }
}

/// Everything that can go wrong reading, importing, storing or validating a dataset.
///
/// Messages name the input, the position and what was expected.
package enum DatasetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed on `path` (`call` is e.g. "open", "read", "rename"; `code` is errno).
    case io(path: String, call: String, code: Int32)
    /// The file has no bytes at all.
    case emptyFile(file: String)
    /// The file parsed but holds no data rows (e.g. a CSV with only a header).
    case noRows(file: String)
    /// A field could not be read as what its column holds.
    case unparsableValue(at: SourcePosition, text: String, expected: String)
    /// A record with a different number of fields than the header.
    case raggedRow(at: SourcePosition, expected: Int, found: Int)
    /// The label column named by the user (or found by convention) is not in the file.
    case missingLabelColumn(file: String, label: String?, available: [String])
    /// A NaN or infinite value where `--allow-nonfinite` was not given.
    case nonFiniteValue(at: SourcePosition, text: String)
    /// The same column name twice in a header.
    case duplicateColumn(file: String, name: String)
    /// A categorical column with more distinct values than allowed.
    case tooManyLevels(file: String, column: String, limit: Int)
    /// A malformed file of a binary or line format (npy header, LIBSVM token, ...).
    case malformed(at: SourcePosition, detail: String)
    /// Quality checks flagged errors (or warnings under `--strict`); nothing was stored.
    case qualityChecksFailed([QualityIssue])
    /// A request that contradicts the data (e.g. `--task classification` on a real-valued label).
    case invalidRequest(String)
    /// No stored version has this digest.
    case versionNotFound(digest: String)
    /// A stored version whose files are unreadable or inconsistent.
    case corruptVersion(path: String, detail: String)

    package var description: String {
        switch self {
        case .io(let path, let call, let code):
            return "\(path): \(call) failed: \(String(cString: strerror(code))) (errno \(code))"
        case .emptyFile(let file):
            return "\(file): the file is empty (0 bytes)"
        case .noRows(let file):
            return "\(file): no data rows (expected at least one row after the header)"
        case .unparsableValue(let at, let text, let expected):
            return "\(at): expected \(expected), found \"\(text)\""
        case .raggedRow(let at, let expected, let found):
            return "\(at): expected \(expected) fields like the header, found \(found)"
        case .missingLabelColumn(let file, let label, let available):
            let cols = available.prefix(20).joined(separator: ", ")
            if let label {
                return "\(file): label column \"\(label)\" not found; columns are: \(cols)"
            }
            return "\(file): no label column (none named label, target, class or y); "
                + "pass --label COLUMN or --unlabeled; columns are: \(cols)"
        case .nonFiniteValue(let at, let text):
            return "\(at): non-finite value \"\(text)\" (pass --allow-nonfinite to accept it)"
        case .duplicateColumn(let file, let name):
            return "\(file): line 1: column name \"\(name)\" appears more than once in the header"
        case .tooManyLevels(let file, let column, let limit):
            return "\(file): column \"\(column)\" has more than \(limit) distinct text values; "
                + "it looks like an identifier (drop it or raise --max-levels)"
        case .malformed(let at, let detail):
            return "\(at): \(detail)"
        case .qualityChecksFailed(let issues):
            let lines = issues.map {
                "  \($0.severity.rawValue): \($0.check.rawValue)"
                    + ($0.column.map { " [\($0)]" } ?? "") + ": \($0.detail)"
            }
            return "quality checks failed; nothing was stored:\n" + lines.joined(separator: "\n")
        case .invalidRequest(let message):
            return message
        case .versionNotFound(let digest):
            return "no stored dataset version with digest \(digest)"
        case .corruptVersion(let path, let detail):
            return "\(path): stored dataset version is corrupt: \(detail)"
        }
    }

    /// True when the problem is in the user's input (exit status 2) rather than the system.
    package var isBadInput: Bool {
        switch self {
        case .io, .corruptVersion: return false
        default: return true
        }
    }
}
