import Foundation
import TrainingRuntime

extension ConfigValue {
    /// The value as compact JSON, keys in document order (which YAMLDocument reads back as the
    /// same tree: numbers keep their int or double type). Non-finite numbers become null.
    var jsonText: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d):
            guard d.isFinite else { return "null" }
            let text = "\(d)"
            // YAML reads 1e-05 as a string: keep a decimal point in every double.
            if text.contains(".") { return text }
            return text.replacingOccurrences(of: "e", with: ".0e")
        case .string(let s): return Self.quoted(s)
        case .list(let items): return "[" + items.map(\.jsonText).joined(separator: ",") + "]"
        case .map(let entries):
            return "{" + entries.map { Self.quoted($0.key) + ":" + $0.value.jsonText }.joined(separator: ",") + "}"
        }
    }

    private static func quoted(_ s: String) -> String {
        let data = (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
