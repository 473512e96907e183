import Foundation
import JobConfiguration

extension JobConfig {
    /// What `config check` prints: every key of the resolved configuration (defaults filled in)
    /// as a dotted path with its value, sorted by key.
    package func resolvedTable() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let object = try JSONSerialization.jsonObject(with: encoder.encode(self))
        var table = TextTable(["key", "value"])
        for (key, value) in Self.flatten(object, prefix: "") { table.add([key, value]) }
        return table.render()
    }

    /// Dotted keys and printable values of a decoded JSON object, sorted by key.
    private static func flatten(_ value: Any, prefix: String) -> [(String, String)] {
        if let dict = value as? [String: Any] {
            return dict.keys.sorted().flatMap { key in
                flatten(dict[key]!, prefix: prefix.isEmpty ? key : "\(prefix).\(key)")
            }
        }
        if let list = value as? [Any] {
            return [(prefix, "[" + list.map { "\($0)" }.joined(separator: ", ") + "]")]
        }
        return [(prefix, "\(value)")]
    }
}
