/// Reads one mapping of a ``ConfigValue`` tree, remembering which keys were used so that any
/// other key can be reported as unknown.
package struct ConfigSection {
    package let path: String
    private let entries: [(key: String, value: ConfigValue)]
    private var used: Set<String> = []

    /// A section for `value` at `path`; a missing or null value reads as an empty mapping.
    package init(_ value: ConfigValue?, path: String) throws(ConfigError) {
        self.path = path
        switch value {
        case nil, .null?: entries = []
        case .map(let e)?: entries = e
        case let other?:
            throw ConfigError.wrongType(
                path: path.isEmpty ? "(document)" : path,
                expected: "a mapping", found: other.typeDescription)
        }
    }

    package func key(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    /// True when the key is present with a non-null value.
    package func has(_ name: String) -> Bool {
        guard let v = entries.first(where: { $0.key == name })?.value else { return false }
        return v != .null
    }

    package mutating func raw(_ name: String) -> ConfigValue? {
        used.insert(name)
        guard let v = entries.first(where: { $0.key == name })?.value, v != .null else { return nil }
        return v
    }

    package mutating func string(_ name: String) throws(ConfigError) -> String? {
        guard let v = raw(name) else { return nil }
        switch v {
        case .string(let s): return s
        case .int(let i): return String(i)
        default: throw ConfigError.wrongType(path: key(name), expected: "a string", found: v.typeDescription)
        }
    }

    package mutating func requiredString(_ name: String) throws(ConfigError) -> String {
        guard let s = try string(name), !s.isEmpty else { throw ConfigError.missingKey(path: key(name)) }
        return s
    }

    package mutating func int(_ name: String, default fallback: Int, min: Int? = nil, max: Int? = nil)
        throws(ConfigError) -> Int
    {
        guard let v = raw(name) else { return fallback }
        let value: Int
        switch v {
        case .int(let i): value = i
        case .double(let d) where d == d.rounded() && abs(d) < 1e15: value = Int(d)
        default: throw ConfigError.wrongType(path: key(name), expected: "an integer", found: v.typeDescription)
        }
        try check(name, Double(value), min: min.map(Double.init), max: max.map(Double.init))
        return value
    }

    package mutating func optionalInt(_ name: String, min: Int? = nil) throws(ConfigError) -> Int? {
        guard has(name) else { _ = raw(name); return nil }
        return try int(name, default: 0, min: min)
    }

    package mutating func double(
        _ name: String, default fallback: Double, min: Double? = nil, max: Double? = nil,
        exclusiveMin: Bool = false
    ) throws(ConfigError) -> Double {
        guard let v = raw(name) else { return fallback }
        let value: Double
        switch v {
        case .int(let i): value = Double(i)
        case .double(let d): value = d
        default: throw ConfigError.wrongType(path: key(name), expected: "a number", found: v.typeDescription)
        }
        guard value.isFinite else {
            throw ConfigError.invalidValue(path: key(name), message: "must be a finite number")
        }
        if exclusiveMin, let min, value <= min {
            throw ConfigError.invalidValue(path: key(name), message: "must be greater than \(min), found \(value)")
        }
        try check(name, value, min: exclusiveMin ? nil : min, max: max)
        return value
    }

    package mutating func optionalDouble(_ name: String, min: Double? = nil, exclusiveMin: Bool = false)
        throws(ConfigError) -> Double?
    {
        guard has(name) else { _ = raw(name); return nil }
        return try double(name, default: 0, min: min, exclusiveMin: exclusiveMin)
    }

    package mutating func bool(_ name: String, default fallback: Bool) throws(ConfigError) -> Bool {
        guard let v = raw(name) else { return fallback }
        guard case .bool(let b) = v else {
            throw ConfigError.wrongType(path: key(name), expected: "true or false", found: v.typeDescription)
        }
        return b
    }

    package mutating func intList(_ name: String, default fallback: [Int], min: Int? = nil) throws(ConfigError) -> [Int]
    {
        guard let v = raw(name) else { return fallback }
        let items: [ConfigValue]
        switch v {
        case .list(let l): items = l
        case .int: items = [v]
        default: throw ConfigError.wrongType(path: key(name), expected: "a list of integers", found: v.typeDescription)
        }
        var out: [Int] = []
        for (i, item) in items.enumerated() {
            guard case .int(let n) = item else {
                throw ConfigError.wrongType(
                    path: "\(key(name))[\(i)]", expected: "an integer", found: item.typeDescription)
            }
            if let min, n < min {
                throw ConfigError.invalidValue(
                    path: "\(key(name))[\(i)]", message: "must be at least \(min), found \(n)")
            }
            out.append(n)
        }
        return out
    }

    package mutating func stringList(_ name: String, default fallback: [String]) throws(ConfigError) -> [String] {
        guard let v = raw(name) else { return fallback }
        let items: [ConfigValue]
        switch v {
        case .list(let l): items = l
        case .string: items = [v]
        default: throw ConfigError.wrongType(path: key(name), expected: "a list of strings", found: v.typeDescription)
        }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else {
                throw ConfigError.wrongType(
                    path: "\(key(name))[\(i)]", expected: "a string", found: item.typeDescription)
            }
            out.append(s)
        }
        return out
    }

    /// One of an enum's raw values.
    package mutating func choice<E: RawRepresentable & CaseIterable>(_ name: String, default fallback: E?)
        throws(ConfigError) -> E where E.RawValue == String
    {
        guard let s = try string(name) else {
            if let fallback { return fallback }
            throw ConfigError.missingKey(path: key(name))
        }
        guard let value = E(rawValue: s) else {
            let allowed = E.allCases.map(\.rawValue).joined(separator: " | ")
            throw ConfigError.invalidValue(path: key(name), message: "must be one of \(allowed), found \"\(s)\"")
        }
        return value
    }

    package mutating func section(_ name: String) throws(ConfigError) -> ConfigSection {
        try ConfigSection(raw(name), path: key(name))
    }

    /// Throws for the first key that was never read.
    package func finish() throws(ConfigError) {
        for (name, _) in entries where !used.contains(name) {
            let known = Array(used)
            throw ConfigError.unknownKey(path: key(name), suggestion: nearest(name, in: known).map(key))
        }
    }

    private func check(_ name: String, _ value: Double, min: Double?, max: Double?) throws(ConfigError) {
        if let min, value < min {
            throw ConfigError.invalidValue(
                path: key(name), message: "must be at least \(format(min)), found \(format(value))")
        }
        if let max, value > max {
            throw ConfigError.invalidValue(
                path: key(name), message: "must be at most \(format(max)), found \(format(value))")
        }
    }

    private func format(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v) }
}

/// The candidate within edit distance 2 of `word` (or sharing a long prefix), if any.
package func nearest(_ word: String, in candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(word, $0)) }.filter { $0.1 <= 2 }
    return scored.min { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }?.0
}

/// Levenshtein distance between two short strings.
package func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = Swift.min(
                previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
