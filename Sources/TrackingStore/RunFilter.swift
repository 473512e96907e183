/// A parsed `runs list --filter` expression: comparisons joined with `and`.
///
/// Grammar (keywords case-insensitive, keys may be written in backticks to allow any character):
/// ```
/// expression := clause ("and" clause)*
/// clause     := field [operator value]          (no operator: the key exists)
/// field      := metrics.KEY | params.KEY | tags.KEY | attributes.(status|name|experiment|id)
/// operator   := = | != | < | <= | > | >=
/// value      := number | "string" | 'string'
/// ```
/// Metrics compare numbers; params compare numerically against a number (non-numeric values never
/// match) and as text against a string; tags and attributes compare as text.
package struct RunFilter: Sendable, Equatable {
    /// A field a clause tests.
    package enum Field: Sendable, Equatable {
        case metric(String)
        case param(String)
        case tag(String)
        case attribute(RunAttribute)
    }

    /// A literal on the right of an operator.
    package enum Value: Sendable, Equatable {
        case number(Double, text: String)
        case string(String)
    }

    /// One comparison; `comparison == nil` tests that the key exists.
    package struct Clause: Sendable, Equatable {
        package var field: Field
        package var comparison: (op: ComparisonOperator, value: Value)?

        package static func == (a: Clause, b: Clause) -> Bool {
            a.field == b.field && a.comparison?.op == b.comparison?.op && a.comparison?.value == b.comparison?.value
        }
    }

    /// The source text.
    package let expression: String
    /// The clauses, all of which must hold.
    package let clauses: [Clause]

    /// Parses `expression`.
    /// - Throws: ``TrackingError/malformedExpression(expression:position:expected:)`` with the
    ///   0-based character position of the problem and what was expected there.
    package init(parsing expression: String) throws {
        var parser = FilterParser(expression)
        self.expression = expression
        self.clauses = try parser.parseExpression()
    }
}

/// Comparison operators of the filter language.
package enum ComparisonOperator: String, Sendable, CaseIterable {
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="

    /// The SQL spelling.
    var sql: String { self == .equal ? "=" : rawValue }
}

/// Run attributes usable in filters and sorts.
package enum RunAttribute: String, Sendable, CaseIterable {
    case status, name, experiment, id
    case startTime = "start_time"
    case endTime = "end_time"
}

/// Hand-written recursive-descent parser over the characters of a filter expression.
struct FilterParser {
    private let chars: [Character]
    private let expression: String
    private var position = 0

    init(_ expression: String) {
        self.expression = expression
        self.chars = Array(expression)
    }

    mutating func parseExpression() throws -> [RunFilter.Clause] {
        var clauses = [try parseClause()]
        skipSpaces()
        while position < chars.count {
            let start = position
            let word = readWord()
            guard word.lowercased() == "and" else {
                throw fail(at: start, expected: "'and' or the end of the expression")
            }
            clauses.append(try parseClause())
            skipSpaces()
        }
        return clauses
    }

    /// Parses a lone field (a sort key) that must span the whole text.
    mutating func parseSortField() throws -> RunFilter.Field {
        let field = try parseField()
        skipSpaces()
        guard position == chars.count else { throw fail(at: position, expected: "the end of the sort key") }
        return field
    }

    /// Parses `field [operator value]`.
    mutating func parseClause() throws -> RunFilter.Clause {
        let field = try parseField()
        skipSpaces()
        if position == chars.count || peekWord().lowercased() == "and" {
            if case .attribute = field {
                throw fail(at: position, expected: "a comparison operator (=, !=, <, <=, >, >=)")
            }
            return RunFilter.Clause(field: field, comparison: nil)
        }
        let opStart = position
        guard let op = readOperator() else {
            throw fail(at: opStart, expected: "a comparison operator (=, !=, <, <=, >, >=)")
        }
        skipSpaces()
        let valueStart = position
        let value = try parseValue()
        try check(field: field, op: op, value: value, opStart: opStart, valueStart: valueStart)
        return RunFilter.Clause(field: field, comparison: (op, value))
    }

    private mutating func parseField() throws -> RunFilter.Field {
        skipSpaces()
        let start = position
        let fieldsExpected = "metrics.KEY, params.KEY, tags.KEY or attributes.(status|name|experiment|id)"
        var prefix = ""
        while position < chars.count, chars[position].isLetter {
            prefix.append(chars[position])
            position += 1
        }
        guard position < chars.count, chars[position] == ".", !prefix.isEmpty else {
            throw fail(at: start, expected: fieldsExpected)
        }
        position += 1
        let keyStart = position
        let key = try readKey()
        guard !key.isEmpty else { throw fail(at: keyStart, expected: "a key after '\(prefix).'") }
        switch prefix.lowercased() {
        case "metrics", "metric": return .metric(key)
        case "params", "param": return .param(key)
        case "tags", "tag": return .tag(key)
        case "attributes", "attribute", "attr":
            guard let attribute = RunAttribute(rawValue: key.lowercased()) else {
                throw fail(
                    at: keyStart,
                    expected: "an attribute: " + RunAttribute.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return .attribute(attribute)
        default:
            throw fail(at: start, expected: fieldsExpected)
        }
    }

    /// A bare key (`[A-Za-z0-9_./:-]+`) or a backtick-quoted one.
    private mutating func readKey() throws -> String {
        if position < chars.count, chars[position] == "`" {
            let open = position
            position += 1
            var key = ""
            while position < chars.count, chars[position] != "`" {
                key.append(chars[position])
                position += 1
            }
            guard position < chars.count else { throw fail(at: open, expected: "a closing backtick") }
            position += 1
            return key
        }
        var key = ""
        while position < chars.count, Self.isKeyCharacter(chars[position]) {
            key.append(chars[position])
            position += 1
        }
        return key
    }

    private static func isKeyCharacter(_ c: Character) -> Bool {
        c.isLetter || c.isNumber || c == "_" || c == "." || c == "-" || c == "/" || c == ":"
    }

    private mutating func readOperator() -> ComparisonOperator? {
        guard position < chars.count else { return nil }
        let next = position + 1 < chars.count ? chars[position + 1] : " "
        switch (chars[position], next) {
        case ("!", "="): position += 2; return .notEqual
        case ("<", "="): position += 2; return .lessOrEqual
        case (">", "="): position += 2; return .greaterOrEqual
        case ("=", "="): position += 2; return .equal
        case ("<", ">"): position += 2; return .notEqual
        case ("<", _): position += 1; return .less
        case (">", _): position += 1; return .greater
        case ("=", _): position += 1; return .equal
        default: return nil
        }
    }

    private mutating func parseValue() throws -> RunFilter.Value {
        guard position < chars.count else {
            throw fail(at: position, expected: "a number or a quoted string")
        }
        let quote = chars[position]
        if quote == "\"" || quote == "'" {
            let open = position
            position += 1
            var text = ""
            while position < chars.count, chars[position] != quote {
                if chars[position] == "\\", position + 1 < chars.count { position += 1 }
                text.append(chars[position])
                position += 1
            }
            guard position < chars.count else { throw fail(at: open, expected: "a closing \(quote)") }
            position += 1
            return .string(text)
        }
        let start = position
        var text = ""
        while position < chars.count, !chars[position].isWhitespace {
            text.append(chars[position])
            position += 1
        }
        guard let number = Double(text), number.isFinite else {
            throw fail(at: start, expected: "a number or a quoted string")
        }
        return .number(number, text: text)
    }

    /// Rejects comparisons that cannot mean anything (a string against a metric, `<` on status).
    private func check(
        field: RunFilter.Field, op: ComparisonOperator, value: RunFilter.Value,
        opStart: Int, valueStart: Int
    ) throws {
        switch (field, value) {
        case (.metric, .string):
            throw fail(at: valueStart, expected: "a number (metrics are numeric)")
        case (.attribute(.startTime), .string), (.attribute(.endTime), .string):
            throw fail(at: valueStart, expected: "a number (seconds since 1970)")
        case (.attribute(.status), .string(let text)):
            guard RunStatus(rawValue: text.uppercased()) != nil else {
                throw fail(
                    at: valueStart,
                    expected: "a status: " + RunStatus.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
            }
            guard op == .equal || op == .notEqual else { throw fail(at: opStart, expected: "= or != for a status") }
        case (.attribute(.status), .number):
            throw fail(at: valueStart, expected: "a quoted status such as \"FINISHED\"")
        default:
            break
        }
    }

    private mutating func skipSpaces() {
        while position < chars.count, chars[position].isWhitespace { position += 1 }
    }

    private mutating func readWord() -> String {
        var word = ""
        while position < chars.count, !chars[position].isWhitespace {
            word.append(chars[position])
            position += 1
        }
        return word
    }

    private func peekWord() -> String {
        var copy = self
        return copy.readWord()
    }

    private func fail(at position: Int, expected: String) -> TrackingError {
        .malformedExpression(expression: expression, position: position, expected: expected)
    }
}
