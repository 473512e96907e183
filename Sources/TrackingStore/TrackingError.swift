import Foundation

/// Errors thrown by ``TrackingStore``.
///
/// Each message names the input that was wrong and what was expected, so the CLI can print it as is.
package enum TrackingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No entity of `kind` ("run", "model", "version", "alias", "dataset", "experiment") matches
    /// `reference`; `nearMatches` lists similar existing names, best first (possibly empty).
    case notFound(kind: String, reference: String, nearMatches: [String])
    /// `reference` matches more than one entity of `kind`; `candidates` lists them.
    case ambiguous(kind: String, reference: String, candidates: [String])
    /// A param was logged again with a different value (params are immutable).
    case paramConflict(runID: String, key: String, existing: String, new: String)
    /// The database was written by a newer Trainyard whose schema this binary does not know.
    case schemaTooNew(path: String, found: Int, supported: Int)
    /// A value the caller passed is malformed (`field` names it, `reason` says what was expected).
    case invalidArgument(field: String, value: String, reason: String)
    /// A filter or sort expression could not be parsed; `position` is the 0-based character offset.
    case malformedExpression(expression: String, position: Int, expected: String)
    /// The operation conflicts with the current state (e.g. deleting a run a model version uses).
    case conflict(String)

    package var description: String {
        switch self {
        case .notFound(let kind, let reference, let near):
            var message = "no \(kind) matches '\(reference)'"
            if !near.isEmpty { message += "; did you mean: " + near.joined(separator: ", ") + "?" }
            return message
        case .ambiguous(let kind, let reference, let candidates):
            let shown = candidates.prefix(10).joined(separator: ", ")
            let more = candidates.count > 10 ? ", … (\(candidates.count) in all)" : ""
            return "'\(reference)' matches more than one \(kind): \(shown)\(more); give more characters"
        case .paramConflict(let runID, let key, let existing, let new):
            return "run \(runID): param '\(key)' is already '\(existing)' and cannot be changed to '\(new)'"
                + " (params are immutable)"
        case .schemaTooNew(let path, let found, let supported):
            return "\(path) has tracking schema version \(found), but this trainyard supports up to"
                + " version \(supported); upgrade trainyard (the database was not modified)"
        case .invalidArgument(let field, let value, let reason):
            return "invalid \(field) '\(value)': \(reason)"
        case .malformedExpression(let expression, let position, let expected):
            let caret = String(repeating: " ", count: max(0, position)) + "^"
            return "malformed expression at position \(position + 1): expected \(expected)\n  \(expression)\n  \(caret)"
        case .conflict(let message):
            return message
        }
    }
}
