/// A configuration document as a tree of plain values, with where each value came from.
///
/// The CLI builds one from YAML; `--set key=value` and sweep trials edit it by dotted path;
/// ``JobConfig/init(from:)`` validates and decodes it. Library code never sees YAML.
package indirect enum ConfigValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([ConfigValue])
    /// Keys in document order.
    case map([(key: String, value: ConfigValue)])

    package static func == (a: ConfigValue, b: ConfigValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.double(x), .double(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.list(x), .list(y)): return x == y
        case let (.map(x), .map(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// A short description of the value's type for error messages ("a string \"abc\"").
    package var typeDescription: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return "a boolean (\(b))"
        case .int(let i): return "an integer (\(i))"
        case .double(let d): return "a number (\(d))"
        case .string(let s): return "a string \"\(s.prefix(40))\""
        case .list(let l): return "a list of \(l.count)"
        case .map: return "a mapping"
        }
    }

    /// The value at a dotted path (`optimizer.lr`), or nil.
    package func value(at path: String) -> ConfigValue? {
        var current = self
        for part in path.split(separator: ".") {
            guard case .map(let entries) = current,
                let next = entries.first(where: { $0.key == part })?.value
            else { return nil }
            current = next
        }
        return current
    }

    /// Sets the value at a dotted path, creating intermediate mappings as needed.
    /// - Throws: ``ConfigError/invalidValue(path:message:)`` when a prefix of the path holds a
    ///   non-mapping value.
    package mutating func set(_ newValue: ConfigValue, at path: String) throws {
        let parts = path.split(separator: ".").map(String.init)
        guard !parts.isEmpty, !parts.contains(where: \.isEmpty) else {
            throw ConfigError.invalidValue(path: path, message: "is not a dotted key such as training.epochs")
        }
        self = try Self.setting(newValue, parts[...], in: self, fullPath: path)
    }

    private static func setting(
        _ newValue: ConfigValue, _ parts: ArraySlice<String>, in node: ConfigValue,
        fullPath: String
    ) throws -> ConfigValue {
        guard let head = parts.first else { return newValue }
        var entries: [(key: String, value: ConfigValue)]
        switch node {
        case .map(let e): entries = e
        case .null: entries = []
        default:
            throw ConfigError.invalidValue(
                path: fullPath, message: "cannot set inside \(node.typeDescription)")
        }
        if let i = entries.firstIndex(where: { $0.key == head }) {
            entries[i].value = try setting(newValue, parts.dropFirst(), in: entries[i].value, fullPath: fullPath)
        } else {
            entries.append((head, try setting(newValue, parts.dropFirst(), in: .null, fullPath: fullPath)))
        }
        return .map(entries)
    }
}
