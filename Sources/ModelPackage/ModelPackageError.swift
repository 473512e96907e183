import Datasets
import Foundation

/// Everything that can go wrong reading a model package or scoring inputs with it.
///
/// Messages name the field, row, column or file position, and what was expected.
package enum ModelPackageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `model.json` is not JSON or lacks a required key.
    case malformedManifest(detail: String)
    /// `format` is not ``ModelManifest/formatIdentifier``.
    case unsupportedFormat(found: String)
    /// A manifest field contradicts another (`field` is its JSON path, e.g. `input.feature_count`).
    case inconsistentManifest(field: String, detail: String)
    /// A buffer of the wrong size (`what` names it).
    case shapeMismatch(what: String, expected: Int, actual: Int)
    /// A column the model needs is not in the input.
    case missingColumn(name: String, available: [String])
    /// The same column name twice in an input header.
    case duplicateColumn(name: String)
    /// An input row with a different number of fields than the header (`row` is 0-based).
    case raggedRow(row: Int, expected: Int, found: Int)
    /// A numeric column holds text that is not a number (`row` is 0-based).
    case invalidNumber(row: Int, column: String, text: String)
    /// A categorical column was given as a number; categorical values must be given as text.
    case categoricalNeedsText(column: String)
    /// A feature is NaN or infinite after the fitted transforms (`row` is 0-based).
    case nonFiniteFeature(row: Int, feature: String, value: Float)
    /// A problem in an input file, at a line and column.
    case invalidInput(at: SourcePosition, detail: String)

    package var description: String {
        switch self {
        case .malformedManifest(let detail):
            return "model.json is malformed: \(detail)"
        case .unsupportedFormat(let found):
            return "model.json: format is \"\(found)\", expected \"\(ModelManifest.formatIdentifier)\""
        case .inconsistentManifest(let field, let detail):
            return "model.json: \(field): \(detail)"
        case .shapeMismatch(let what, let expected, let actual):
            return "\(what): expected \(expected), got \(actual)"
        case .missingColumn(let name, let available):
            return
                "required column \"\(name)\" is missing; columns are: \(available.prefix(20).joined(separator: ", "))"
        case .duplicateColumn(let name):
            return "column name \"\(name)\" appears more than once in the header"
        case .raggedRow(let row, let expected, let found):
            return "row \(row + 1): expected \(expected) fields like the header, found \(found)"
        case .invalidNumber(let row, let column, let text):
            return "row \(row + 1), column \"\(column)\": expected a number, found \"\(text)\""
        case .categoricalNeedsText(let column):
            return "column \"\(column)\" is categorical; give its values as text, not numbers"
        case .nonFiniteFeature(let row, let feature, let value):
            return "row \(row + 1), feature \"\(feature)\": value \(value) is not finite after the fitted transforms "
                + "(the model has no imputer for missing values)"
        case .invalidInput(let at, let detail):
            return "\(at): \(detail)"
        }
    }
}
