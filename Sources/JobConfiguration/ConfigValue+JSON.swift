import Foundation

extension ConfigValue {
    /// The value as compact JSON, keys in document order (which ``init(jsonText:)`` and the
    /// CLI's YAML reader read back as the same tree: numbers keep their int or double type).
    /// Non-finite numbers become null.
    package var jsonText: String {
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

    /// Parses a JSON document (a config recorded on a run or a sweep) into a tree, keys in
    /// document order; a number with a fraction or an exponent is a double, any other an int.
    /// - Throws: ``ConfigError/invalidValue(path:message:)`` naming `source` and the byte offset.
    package init(jsonText: String, source: String) throws(ConfigError) {
        var reader = JSONTreeReader(bytes: Array(jsonText.utf8), source: source)
        self = try reader.document()
    }
}

/// A strict recursive-descent JSON reader producing ``ConfigValue``s (nesting up to 64 levels).
private struct JSONTreeReader {
    let bytes: [UInt8]
    let source: String
    var offset = 0

    mutating func document() throws(ConfigError) -> ConfigValue {
        let value = try self.value(depth: 0)
        skipSpace()
        guard offset == bytes.count else { throw failure("unexpected text after the document") }
        return value
    }

    private func failure(_ message: String) -> ConfigError {
        .invalidValue(path: source, message: "is not valid JSON at byte \(offset): \(message)")
    }

    private mutating func skipSpace() {
        while offset < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[offset]) { offset += 1 }
    }

    private mutating func literal(_ word: String, _ value: ConfigValue) throws(ConfigError) -> ConfigValue {
        let expected = Array(word.utf8)
        guard bytes.count - offset >= expected.count, Array(bytes[offset..<offset + expected.count]) == expected else {
            throw failure("expected \(word)")
        }
        offset += expected.count
        return value
    }

    private mutating func value(depth: Int) throws(ConfigError) -> ConfigValue {
        guard depth < 64 else { throw failure("nested more than 64 levels deep") }
        skipSpace()
        guard offset < bytes.count else { throw failure("unexpected end of text") }
        switch bytes[offset] {
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "["):
            offset += 1
            var items: [ConfigValue] = []
            skipSpace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
                offset += 1
                return .list(items)
            }
            while true {
                items.append(try value(depth: depth + 1))
                skipSpace()
                if try separator(closing: "]") { return .list(items) }
            }
        case UInt8(ascii: "{"):
            offset += 1
            var entries: [(key: String, value: ConfigValue)] = []
            skipSpace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
                offset += 1
                return .map(entries)
            }
            while true {
                skipSpace()
                guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw failure("expected a key") }
                let key = try string()
                skipSpace()
                guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else { throw failure("expected ':'") }
                offset += 1
                entries.append((key, try value(depth: depth + 1)))
                skipSpace()
                if try separator(closing: "}") { return .map(entries) }
            }
        default: return try number()
        }
    }

    /// Consumes `,` (false: more follows) or the closing bracket (true).
    private mutating func separator(closing: Unicode.Scalar) throws(ConfigError) -> Bool {
        guard offset < bytes.count else { throw failure("unexpected end of text") }
        if bytes[offset] == UInt8(ascii: ",") {
            offset += 1
            return false
        }
        guard bytes[offset] == UInt8(ascii: closing) else { throw failure("expected ',' or '\(closing)'") }
        offset += 1
        return true
    }

    private mutating func number() throws(ConfigError) -> ConfigValue {
        let start = offset
        var isDouble = false
        while offset < bytes.count {
            let b = bytes[offset]
            if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                isDouble = true
            } else if !(b == UInt8(ascii: "-") || b == UInt8(ascii: "+") || (0x30...0x39).contains(b)) {
                break
            }
            offset += 1
        }
        let text = String(decoding: bytes[start..<offset], as: UTF8.self)
        if !isDouble, let i = Int(text) { return .int(i) }
        guard !text.isEmpty, let d = Double(text) else {
            offset = start
            throw failure("expected a value")
        }
        return .double(d)
    }

    /// A string; the escapes are decoded by JSONDecoder on the exact quoted bytes.
    private mutating func string() throws(ConfigError) -> String {
        let start = offset
        offset += 1
        while offset < bytes.count, bytes[offset] != UInt8(ascii: "\"") {
            offset += bytes[offset] == UInt8(ascii: "\\") ? 2 : 1
        }
        guard offset < bytes.count else { throw failure("unterminated string") }
        offset += 1
        guard let text = try? JSONDecoder().decode(String.self, from: Data(bytes[start..<offset])) else {
            offset = start
            throw failure("invalid string")
        }
        return text
    }
}
