import JobConfiguration

/// One value a search dimension can take: a scalar or a list (`model.hidden: [256, 128]`).
///
/// Encodes as a one-key JSON object naming its type (`{"double": 0.1}`), so an integer and a
/// whole-number double stay distinct across a save and a resume.
package indirect enum ParameterValue: Hashable, Sendable {
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([ParameterValue])

    /// Converts a config value; mappings and nulls are not parameter values.
    /// - Throws: ``SweepSpecError`` naming `key`.
    package init(_ value: ConfigValue, key: String) throws {
        switch value {
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .list(let items): self = .list(try items.map { try ParameterValue($0, key: key) })
        case .null, .map:
            throw SweepSpecError(key: key, "expected a value or a list of values, found \(value.typeDescription)")
        }
    }

    /// The value as it goes into a job config.
    package var configValue: ConfigValue {
        switch self {
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .list(let items): return .list(items.map(\.configValue))
        }
    }
}

extension ParameterValue: CustomStringConvertible {
    /// YAML flow style: `0.01`, `relu`, `[256, 128]`; doubles with at most 4 significant digits.
    package var description: String {
        switch self {
        case .bool(let b): return String(b)
        case .int(let i): return String(i)
        case .double(let d): return Self.short(d)
        case .string(let s): return s
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        }
    }

    static func short(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e6 { return String(Int(d)) }
        return String(format: "%.4g", d)
    }
}

extension ParameterValue: Codable {
    private enum Key: String, CodingKey { case bool, int, double, string, list }

    package init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        guard let key = container.allKeys.first, container.allKeys.count == 1 else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "expected one of bool, int, double, string, list"))
        }
        switch key {
        case .bool: self = .bool(try container.decode(Bool.self, forKey: key))
        case .int: self = .int(try container.decode(Int.self, forKey: key))
        case .double: self = .double(try container.decode(Double.self, forKey: key))
        case .string: self = .string(try container.decode(String.self, forKey: key))
        case .list: self = .list(try container.decode([ParameterValue].self, forKey: key))
        }
    }

    package func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        switch self {
        case .bool(let b): try container.encode(b, forKey: .bool)
        case .int(let i): try container.encode(i, forKey: .int)
        case .double(let d): try container.encode(d, forKey: .double)
        case .string(let s): try container.encode(s, forKey: .string)
        case .list(let items): try container.encode(items, forKey: .list)
        }
    }
}

/// One dimension's value in a trial: `optimizer.lr = 0.0123`.
package struct ParameterAssignment: Hashable, Sendable, Codable {
    /// The dotted job-config key.
    package let key: String
    package let value: ParameterValue

    package init(key: String, value: ParameterValue) {
        self.key = key
        self.value = value
    }
}

/// Why a sweep file is invalid: the dotted key (`search.optimizer.lr`) and what was expected.
package struct SweepSpecError: Error, CustomStringConvertible, Equatable, Sendable {
    package let key: String
    package let message: String

    package init(key: String, _ message: String) {
        self.key = key
        self.message = message
    }

    package var description: String { "\(key): \(message)" }

    /// The same problem found by the shared section checks, in this error's `key: message` form.
    package init(_ error: ConfigError) {
        switch error {
        case .unknownKey(let path, let suggestion):
            self.init(key: path, "unknown key" + (suggestion.map { " (did you mean '\($0)'?)" } ?? ""))
        case .missingKey(let path):
            self.init(key: path, "is required")
        case .wrongType(let path, let expected, let found):
            self.init(key: path, "expected \(expected), found \(found)")
        case .invalidValue(let path, let message):
            self.init(key: path, message)
        }
    }
}
