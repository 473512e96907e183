import Foundation
import JobConfiguration
import TrainingRuntime
import TrainyardKit
import Yams

/// Turns YAML text into a ``ConfigValue`` tree, the only place YAML is parsed.
enum YAMLDocument {
    /// Parses `text` (from `source`, a file name used in messages).
    /// - Throws: ``BadInput`` naming the source and line for syntax errors, duplicate keys,
    ///   non-string keys and aliases.
    static func parse(_ text: String, source: String) throws -> ConfigValue {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw BadInput("\(source): invalid YAML: \(error)")
        }
        guard let node else { return .map([]) }
        return try convert(node, source: source, path: "")
    }

    /// Loads and parses a YAML file.
    static func load(path: String) throws -> ConfigValue {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BadInput("cannot read \(path): no such file or not readable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw BadInput("\(path) is not UTF-8 text")
        }
        return try parse(text, source: path)
    }

    /// Parses the value half of `--set key=value` as a YAML scalar or flow collection, so that
    /// `--set model.hidden=[64,32]` and `--set optimizer.lr=0.01` get their natural types.
    static func parseOverride(_ assignment: String) throws -> (path: String, value: ConfigValue) {
        guard let eq = assignment.firstIndex(of: "="), eq != assignment.startIndex else {
            throw BadInput("--set expects key=value (for example training.epochs=5), found \"\(assignment)\"")
        }
        let path = String(assignment[..<eq]).trimmingCharacters(in: .whitespaces)
        let text = String(assignment[assignment.index(after: eq)...])
        let value = text.isEmpty ? ConfigValue.string("") : try parse(text, source: "--set \(path)")
        return (path, value)
    }

    private static func location(_ node: Node, _ source: String) -> String {
        guard let mark = node.mark else { return source }
        return "\(source):\(mark.line)"
    }

    private static func convert(_ node: Node, source: String, path: String) throws -> ConfigValue {
        switch node {
        case .scalar(let scalar):
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return node.bool.map(ConfigValue.bool) ?? .string(scalar.string)
            case Tag.Name.int.rawValue: return node.int.map(ConfigValue.int) ?? .string(scalar.string)
            case Tag.Name.float.rawValue: return node.float.map(ConfigValue.double) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .sequence(let sequence):
            return .list(
                try sequence.enumerated().map { i, item in
                    try convert(item, source: source, path: "\(path)[\(i)]")
                })
        case .mapping(let mapping):
            var entries: [(key: String, value: ConfigValue)] = []
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let key) = keyNode else {
                    throw BadInput("\(location(keyNode, source)): keys must be plain strings")
                }
                let name = key.string
                let child = path.isEmpty ? name : "\(path).\(name)"
                if entries.contains(where: { $0.key == name }) {
                    throw BadInput("\(location(keyNode, source)): duplicate key '\(child)'")
                }
                entries.append((name, try convert(valueNode, source: source, path: child)))
            }
            return .map(entries)
        case .alias:
            throw BadInput("\(location(node, source)): YAML aliases are not supported in Trainyard files")
        }
    }
}
