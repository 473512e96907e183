import Foundation

/// A JSON syntax error: what is wrong and the byte offset where it was found.
struct JSONSyntaxError: Error, Equatable {
    var message: String
    var offset: Int
    var description: String { "\(message) at byte \(offset)" }
}

/// Strict RFC 8259 JSON read straight from bytes, without building a tree: ``validate()`` checks
/// a whole document once (syntax, UTF-8, escapes, nesting up to ``maximumDepth``, numbers that
/// fit a Double), and the readers below then walk the validated bytes by offset. Stricter than
/// `JSONSerialization` on Linux: no trailing commas, no byte-order mark.
///
/// The pointer is borrowed: a scanner is valid only inside the closure that lent the bytes.
struct JSONScanner {
    /// Deepest nesting of arrays and objects accepted (`JSONSerialization`'s limit too).
    static let maximumDepth = 512

    let bytes: UnsafeRawBufferPointer

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    @inline(__always) subscript(_ i: Int) -> UInt8 { bytes[i] }

    /// Checks the whole document; returns the offset of its top-level value.
    /// Complexity O(n), no allocation unless it throws.
    func validate() throws(JSONSyntaxError) -> Int {
        let start = skipSpace(0)
        guard start < bytes.count else { throw JSONSyntaxError(message: "no JSON value", offset: start) }
        guard bytes[start] == UInt8(ascii: "{") || bytes[start] == UInt8(ascii: "[") else {
            throw JSONSyntaxError(message: "the top level must be an object, found \(describe(start))", offset: start)
        }
        let end = skipSpace(try scanValue(start, depth: 1))
        guard end == bytes.count else {
            throw JSONSyntaxError(message: "unexpected \(describe(end)) after the JSON value", offset: end)
        }
        return start
    }

    /// The offset of the first byte at or after `i` that is not JSON whitespace.
    @inline(__always) func skipSpace(_ i: Int) -> Int {
        var i = i
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i += 1
            default: return i
            }
        }
        return i
    }

    /// Scans the value at `i` (no leading whitespace) and returns the offset just past it.
    func scanValue(_ i: Int, depth: Int) throws(JSONSyntaxError) -> Int {
        guard i < bytes.count else {
            throw JSONSyntaxError(message: "unexpected end of input; expected a value", offset: i)
        }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try scanObject(i, depth: depth)
        case UInt8(ascii: "["): return try scanArray(i, depth: depth)
        case UInt8(ascii: "\""): return try scanString(i).end
        case UInt8(ascii: "t"): return try literal(i, "true")
        case UInt8(ascii: "f"): return try literal(i, "false")
        case UInt8(ascii: "n"): return try literal(i, "null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number(i).end
        default: throw JSONSyntaxError(message: "unexpected \(describe(i)); expected a value", offset: i)
        }
    }

    private func checkDepth(_ depth: Int, at offset: Int) throws(JSONSyntaxError) {
        guard depth <= Self.maximumDepth else {
            throw JSONSyntaxError(message: "arrays and objects nested deeper than \(Self.maximumDepth)", offset: offset)
        }
    }

    private func scanObject(_ open: Int, depth: Int) throws(JSONSyntaxError) -> Int {
        try checkDepth(depth, at: open)
        var i = skipSpace(open + 1)
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { return i + 1 }
        while true {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                throw JSONSyntaxError(message: "unexpected \(describe(i)); expected a string key", offset: i)
            }
            i = skipSpace(try scanString(i).end)
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else {
                throw JSONSyntaxError(message: "unexpected \(describe(i)); expected ':'", offset: i)
            }
            i = skipSpace(try scanValue(skipSpace(i + 1), depth: depth + 1))
            guard i < bytes.count else {
                throw JSONSyntaxError(message: "unexpected end of input; expected ',' or '}'", offset: i)
            }
            if bytes[i] == UInt8(ascii: "}") { return i + 1 }
            guard bytes[i] == UInt8(ascii: ",") else {
                throw JSONSyntaxError(message: "unexpected \(describe(i)); expected ',' or '}'", offset: i)
            }
            i = skipSpace(i + 1)
        }
    }

    private func scanArray(_ open: Int, depth: Int) throws(JSONSyntaxError) -> Int {
        try checkDepth(depth, at: open)
        var i = skipSpace(open + 1)
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { return i + 1 }
        while true {
            i = skipSpace(try scanValue(i, depth: depth + 1))
            guard i < bytes.count else {
                throw JSONSyntaxError(message: "unexpected end of input; expected ',' or ']'", offset: i)
            }
            if bytes[i] == UInt8(ascii: "]") { return i + 1 }
            guard bytes[i] == UInt8(ascii: ",") else {
                throw JSONSyntaxError(message: "unexpected \(describe(i)); expected ',' or ']'", offset: i)
            }
            i = skipSpace(i + 1)
        }
    }

    private func literal(_ i: Int, _ word: StaticString) throws(JSONSyntaxError) -> Int {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count, memcmp(bytes.baseAddress! + i, word.utf8Start, n) == 0 else {
            throw JSONSyntaxError(message: "unexpected \(describe(i)); expected a value", offset: i)
        }
        return i + n
    }

    // MARK: - Strings

    /// Scans the string whose opening quote is at `i`: checks UTF-8, control characters and
    /// escapes (surrogates must pair). Returns the offset past the closing quote and whether
    /// the string holds escapes (its bytes are then not its text).
    func scanString(_ i: Int) throws(JSONSyntaxError) -> (end: Int, escaped: Bool) {
        var j = i + 1
        var escaped = false
        while j < bytes.count {
            let b = bytes[j]
            if b == UInt8(ascii: "\"") { return (j + 1, escaped) }
            if b == UInt8(ascii: "\\") {
                escaped = true
                j = try scanEscape(j)
            } else if b < 0x20 {
                throw JSONSyntaxError(message: "unescaped control character 0x\(hex(b)) in a string", offset: j)
            } else if b < 0x80 {
                j += 1
            } else {
                j = try scanUTF8(j)
            }
        }
        throw JSONSyntaxError(message: "unterminated string", offset: i)
    }

    /// The escape at `j` (a backslash); returns the offset past it.
    private func scanEscape(_ j: Int) throws(JSONSyntaxError) -> Int {
        guard j + 1 < bytes.count else { throw JSONSyntaxError(message: "unterminated string", offset: j) }
        switch bytes[j + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return j + 2
        case UInt8(ascii: "u"):
            let unit = try hex4(j + 2)
            if (0xDC00...0xDFFF).contains(unit) {
                throw JSONSyntaxError(message: "unpaired UTF-16 surrogate \\u\(hex(unit))", offset: j)
            }
            guard (0xD800...0xDBFF).contains(unit) else { return j + 6 }
            guard j + 7 < bytes.count, bytes[j + 6] == UInt8(ascii: "\\"), bytes[j + 7] == UInt8(ascii: "u"),
                (0xDC00...0xDFFF).contains(try hex4(j + 8))
            else {
                throw JSONSyntaxError(message: "unpaired UTF-16 surrogate \\u\(hex(unit))", offset: j)
            }
            return j + 12
        default:
            throw JSONSyntaxError(message: "invalid escape \\\(describe(j + 1))", offset: j)
        }
    }

    private func hex4(_ k: Int) throws(JSONSyntaxError) -> UInt16 {
        guard k + 4 <= bytes.count else { throw JSONSyntaxError(message: "\\u needs 4 hex digits", offset: k) }
        var value: UInt16 = 0
        for m in k..<(k + 4) {
            let b = bytes[m]
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: throw JSONSyntaxError(message: "\\u needs 4 hex digits", offset: k)
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    /// One multi-byte UTF-8 sequence at `j` (well-formed per Unicode table 3-7: no overlong
    /// forms, no surrogates, nothing past U+10FFFF); returns the offset past it.
    private func scanUTF8(_ j: Int) throws(JSONSyntaxError) -> Int {
        let b = bytes[j]
        let count: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch b {
        case 0xC2...0xDF: count = 2
        case 0xE0: count = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: count = 3
        case 0xED: count = 3; high = 0x9F
        case 0xF0: count = 4; low = 0x90
        case 0xF1...0xF3: count = 4
        case 0xF4: count = 4; high = 0x8F
        default: throw JSONSyntaxError(message: "invalid UTF-8 byte 0x\(hex(b))", offset: j)
        }
        guard j + count <= bytes.count, (low...high).contains(bytes[j + 1]) else {
            throw JSONSyntaxError(message: "invalid UTF-8 sequence", offset: j)
        }
        for k in (j + 2)..<(j + count) where bytes[k] & 0xC0 != 0x80 {
            throw JSONSyntaxError(message: "invalid UTF-8 sequence", offset: j)
        }
        return j + count
    }

    /// The text of the string whose opening quote is at `i` (validated), escapes decoded.
    func string(_ i: Int) -> String {
        let raw = UnsafeRawBufferPointer(rebasing: bytes[(i + 1)..<(endOfString(i) - 1)])
        guard raw.contains(UInt8(ascii: "\\")) else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var j = 0
        while j < raw.count {
            guard raw[j] == UInt8(ascii: "\\") else {
                out.append(raw[j])
                j += 1
                continue
            }
            let e = raw[j + 1]
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = UInt32((try? hex4(i + 1 + j + 2)) ?? 0xFFFD)
                if (0xD800...0xDBFF).contains(scalar) {
                    let low = UInt32((try? hex4(i + 1 + j + 8)) ?? 0xDC00)
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    j += 6
                }
                out.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
                j += 6
                continue
            default: out.append(e)  // " \ /
            }
            j += 2
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether the string at `i` (validated, opening quote) is exactly `key`.
    func stringEquals(_ i: Int, end: Int, escaped: Bool, _ key: StaticString) -> Bool {
        if escaped { return string(i) == key.description }
        let n = key.utf8CodeUnitCount
        return end - i - 2 == n && memcmp(bytes.baseAddress! + i + 1, key.utf8Start, n) == 0
    }

    // MARK: - Numbers

    /// The number at `i`: its value and the offset past it. Throws for a number that breaks the
    /// JSON grammar or does not fit a Double (1e999). Correctly rounded: exact fast path for up
    /// to 15 significant digits and |exponent| ≤ 22, `strtod` otherwise.
    func number(_ i: Int) throws(JSONSyntaxError) -> (value: Double, end: Int) {
        var j = i
        let negative = bytes[j] == UInt8(ascii: "-")
        if negative { j += 1 }
        guard j < bytes.count, isDigit(bytes[j]) else {
            throw JSONSyntaxError(message: "a number needs a digit after '-'", offset: i)
        }
        var mantissa: UInt64 = 0
        var significant = 0
        if bytes[j] == UInt8(ascii: "0") {
            j += 1
            if j < bytes.count, isDigit(bytes[j]) {
                throw JSONSyntaxError(message: "number with a leading zero", offset: i)
            }
        } else {
            while j < bytes.count, isDigit(bytes[j]) {
                if significant < 19 { mantissa = mantissa &* 10 &+ UInt64(bytes[j] - UInt8(ascii: "0")) }
                significant += 1
                j += 1
            }
        }
        var scale = significant > 19 ? significant - 19 : 0
        if j < bytes.count, bytes[j] == UInt8(ascii: ".") {
            j += 1
            guard j < bytes.count, isDigit(bytes[j]) else {
                throw JSONSyntaxError(message: "a number needs a digit after '.'", offset: i)
            }
            while j < bytes.count, isDigit(bytes[j]) {
                let d = bytes[j] - UInt8(ascii: "0")
                if significant > 0 || d != 0 { significant += 1 }
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(d)
                    scale -= 1
                }
                j += 1
            }
        }
        var exponent = 0
        if j < bytes.count, bytes[j] | 0x20 == UInt8(ascii: "e") {
            j += 1
            var exponentNegative = false
            if j < bytes.count, bytes[j] == UInt8(ascii: "+") || bytes[j] == UInt8(ascii: "-") {
                exponentNegative = bytes[j] == UInt8(ascii: "-")
                j += 1
            }
            guard j < bytes.count, isDigit(bytes[j]) else {
                throw JSONSyntaxError(message: "a number needs a digit in its exponent", offset: i)
            }
            while j < bytes.count, isDigit(bytes[j]) {
                exponent = min(exponent * 10 + Int(bytes[j] - UInt8(ascii: "0")), 1_000_000)
                j += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        let power = scale + exponent
        var value: Double
        // 10^0 … 10^22 are exact in a Double, and so is any mantissa below 2^53.
        let powersOfTen: [Double] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
            1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
        ]
        if significant <= 15, abs(power) <= 22 {
            value = power < 0 ? Double(mantissa) / powersOfTen[-power] : Double(mantissa) * powersOfTen[power]
            if negative { value = -value }
        } else {
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[i..<j]), as: UTF8.self)
            value = Double(text) ?? .nan
        }
        guard value.isFinite else {
            throw JSONSyntaxError(
                message:
                    "number \(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[i..<min(j, i + 40)]), as: UTF8.self)) is not representable",
                offset: i)
        }
        return (value, j)
    }

    @inline(__always) private func isDigit(_ b: UInt8) -> Bool { b &- UInt8(ascii: "0") < 10 }

    // MARK: - Walking validated documents

    /// Calls `body` with each member of the object at `i` (validated): the key's offset, end and
    /// whether it has escapes, and the value's offset. Stops early when `body` returns false.
    func forEachMember<E: Error>(
        _ i: Int, _ body: (_ key: Int, _ keyEnd: Int, _ escaped: Bool, _ value: Int) throws(E) -> Void
    ) throws(E) {
        var j = skipSpace(i + 1)
        if bytes[j] == UInt8(ascii: "}") { return }
        while true {
            let keyEnd = endOfString(j)
            let escaped = UnsafeRawBufferPointer(rebasing: bytes[j..<keyEnd]).contains(UInt8(ascii: "\\"))
            let value = skipSpace(skipSpace(keyEnd) + 1)
            try body(j, keyEnd, escaped, value)
            j = skipSpace(end(of: value))
            if bytes[j] == UInt8(ascii: "}") { return }
            j = skipSpace(j + 1)
        }
    }

    /// Calls `body` with the offset of each element of the array at `i` (validated).
    func forEachElement<E: Error>(_ i: Int, _ body: (_ value: Int) throws(E) -> Void) throws(E) {
        var j = skipSpace(i + 1)
        if bytes[j] == UInt8(ascii: "]") { return }
        while true {
            try body(j)
            j = skipSpace(end(of: j))
            if bytes[j] == UInt8(ascii: "]") { return }
            j = skipSpace(j + 1)
        }
    }

    /// The offset just past the validated value at `i`: a skip that trusts ``validate()`` and
    /// only counts brackets outside strings. Complexity O(length of the value).
    func end(of i: Int) -> Int {
        switch bytes[i] {
        case UInt8(ascii: "\""): return endOfString(i)
        case UInt8(ascii: "t"), UInt8(ascii: "n"): return i + 4
        case UInt8(ascii: "f"): return i + 5
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var j = i
            while j < bytes.count {
                switch bytes[j] {
                case UInt8(ascii: "\""):
                    j = endOfString(j)
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return j + 1 }
                default: break
                }
                j += 1
            }
            return j
        default:
            var j = i + 1
            while j < bytes.count {
                switch bytes[j] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"),
                    UInt8(ascii: "+"), UInt8(ascii: "-"):
                    j += 1
                default: return j
                }
            }
            return j
        }
    }

    /// The offset past the validated string whose opening quote is at `i`.
    private func endOfString(_ i: Int) -> Int {
        var j = i + 1
        while j < bytes.count {
            switch bytes[j] {
            case UInt8(ascii: "\""): return j + 1
            case UInt8(ascii: "\\"): j += 2
            default: j += 1
            }
        }
        return j
    }

    /// The value's text for a message, cut at 40 bytes.
    func text(_ i: Int) -> String {
        let e = min(end(of: i), i + 40)
        let s = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[i..<e]), as: UTF8.self)
        return e < end(of: i) ? s + "…" : s
    }

    /// The byte at `i` for a message.
    func describe(_ i: Int) -> String {
        guard i < bytes.count else { return "end of input" }
        let b = bytes[i]
        return b >= 0x20 && b < 0x7F ? "'\(Character(Unicode.Scalar(b)))'" : "byte 0x\(hex(b))"
    }

    private func hex<T: BinaryInteger>(_ v: T) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, (T.self == UInt8.self ? 2 : 4) - s.count)) + s
    }
}
