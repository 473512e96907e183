/// A configuration problem, naming the dotted key and what was expected.
package enum ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A key the schema does not know; `suggestion` is the nearest known key, if any is close.
    case unknownKey(path: String, suggestion: String?)
    /// A required key is absent.
    case missingKey(path: String)
    /// A value of the wrong type.
    case wrongType(path: String, expected: String, found: String)
    /// A value of the right type that is not allowed (out of range, unknown choice, …).
    case invalidValue(path: String, message: String)

    package var description: String {
        switch self {
        case .unknownKey(let path, let suggestion):
            return "unknown key '\(path)'" + (suggestion.map { " (did you mean '\($0)'?)" } ?? "")
        case .missingKey(let path):
            return "missing required key '\(path)'"
        case .wrongType(let path, let expected, let found):
            return "'\(path)' must be \(expected), found \(found)"
        case .invalidValue(let path, let message):
            return "'\(path)' \(message)"
        }
    }

    /// The dotted key the error is about.
    package var path: String {
        switch self {
        case .unknownKey(let p, _), .missingKey(let p), .wrongType(let p, _, _), .invalidValue(let p, _): return p
        }
    }
}
