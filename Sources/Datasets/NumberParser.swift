import Foundation

/// What a text field holds, as far as numbers are concerned.
package enum ParsedNumber: Sendable, Equatable {
    /// A finite decimal number.
    case finite(Double)
    /// `nan`, `inf`, `-inf`, `infinity` (any case).
    case nonFinite(Double)
    /// Empty or a missing-value marker: `NA`, `N/A`, `null`, `NULL`, `?`.
    case missing
    /// Anything else.
    case text
}

/// A byte-level decimal parser: no `String` per field, no Foundation scanner.
///
/// Fast path: up to 19 digits (a mantissa below 2^53) and a decimal exponent within ±22 are computed exactly
/// in `Double` (one correctly rounded multiply or divide). Longer inputs fall back to `strtod`,
/// so every result is the correctly rounded `Double` of the text. Leading and trailing spaces
/// and tabs are ignored. Complexity O(length).
package enum NumberParser {
    /// 10^e for e in 0...22, all exactly representable in Double.
    @inline(__always)
    static func powerOfTen(_ e: Int) -> Double {
        switch e {
        case 0: return 1e0
        case 1: return 1e1
        case 2: return 1e2
        case 3: return 1e3
        case 4: return 1e4
        case 5: return 1e5
        case 6: return 1e6
        case 7: return 1e7
        case 8: return 1e8
        case 9: return 1e9
        case 10: return 1e10
        case 11: return 1e11
        case 12: return 1e12
        case 13: return 1e13
        case 14: return 1e14
        case 15: return 1e15
        case 16: return 1e16
        case 17: return 1e17
        case 18: return 1e18
        case 19: return 1e19
        case 20: return 1e20
        case 21: return 1e21
        default: return 1e22
        }
    }

    /// Classifies and parses the `count` bytes at `start`.
    @inline(__always)
    package static func parse(_ start: UnsafePointer<UInt8>, _ count: Int) -> ParsedNumber {
        var i = 0
        var n = count
        while i < n, start[i] == 0x20 || start[i] == 0x09 { i += 1 }
        while n > i, start[n - 1] == 0x20 || start[n - 1] == 0x09 || start[n - 1] == 0x0D { n -= 1 }
        if i == n { return .missing }
        let begin = i
        var negative = false
        if start[i] == 0x2D { negative = true; i += 1 } else if start[i] == 0x2B { i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        while i < n {
            let d = start[i] &- 0x30
            if d > 9 { break }
            mantissa = mantissa &* 10 &+ UInt64(d)
            digits += 1
            i += 1
        }
        if i < n, start[i] == 0x2E {
            i += 1
            let fractionStart = i
            while i < n {
                let d = start[i] &- 0x30
                if d > 9 { break }
                mantissa = mantissa &* 10 &+ UInt64(d)
                i += 1
            }
            digits += i - fractionStart
            exponent = fractionStart - i
        }
        let sawDigit = digits > 0
        if !sawDigit { return word(start + begin, n - begin) }
        if i < n, start[i] | 0x20 == 0x65 {
            i += 1
            var expNegative = false
            if i < n, start[i] == 0x2D { expNegative = true; i += 1 } else if i < n, start[i] == 0x2B { i += 1 }
            var e = 0
            var expDigits = 0
            while i < n {
                let d = start[i] &- 0x30
                if d > 9 { break }
                if e < 100_000 { e = e * 10 + Int(d) }
                expDigits += 1
                i += 1
            }
            if expDigits == 0 { return .text }
            exponent += expNegative ? -e : e
        }
        if i != n { return .text }
        if digits <= 19, mantissa < (1 << 53), exponent >= -22, exponent <= 22 {
            var value = Double(mantissa)
            if exponent >= 0 { value *= powerOfTen(exponent) } else { value /= powerOfTen(-exponent) }
            return .finite(negative ? -value : value)
        }
        return slow(start + begin, n - begin)
    }

    /// Parses the field that starts at `p` and ends at the next `delimiter` or at `end`, in one
    /// pass for plain decimals (`-12.345`); anything else (spaces, exponents, words) goes through
    /// ``parse(_:_:)``. Returns the value and the field's end (the delimiter or `end`).
    @inline(__always)
    package static func parseField(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, delimiter: UInt8)
        -> (ParsedNumber, UnsafePointer<UInt8>)
    {
        var q = p
        var negative = false
        if q < end, q.pointee == 0x2D { negative = true; q += 1 }
        let digitsStart = q
        var mantissa: UInt64 = 0
        while q < end {
            let d = q.pointee &- 0x30
            if d > 9 { break }
            mantissa = mantissa &* 10 &+ UInt64(d)
            q += 1
        }
        var digits = digitsStart.distance(to: q)
        var exponent = 0
        if q < end, q.pointee == 0x2E {
            q += 1
            let fractionStart = q
            while q < end {
                let d = q.pointee &- 0x30
                if d > 9 { break }
                mantissa = mantissa &* 10 &+ UInt64(d)
                q += 1
            }
            let fraction = fractionStart.distance(to: q)
            digits += fraction
            exponent = -fraction
        }
        if q == end || q.pointee == delimiter, digits > 0, digits <= 19, mantissa < (1 << 53), exponent >= -22 {
            var value = Double(mantissa)
            if exponent < 0 { value /= powerOfTen(-exponent) }
            return (.finite(negative ? -value : value), q)
        }
        var fieldEnd = q
        while fieldEnd < end, fieldEnd.pointee != delimiter { fieldEnd += 1 }
        return (parse(p, p.distance(to: fieldEnd)), fieldEnd)
    }

    private static func slow(_ start: UnsafePointer<UInt8>, _ count: Int) -> ParsedNumber {
        var buffer = [CChar](repeating: 0, count: count + 1)
        for k in 0..<count { buffer[k] = CChar(bitPattern: start[k]) }
        let value = buffer.withUnsafeBufferPointer { strtod($0.baseAddress!, nil) }
        return value.isFinite ? .finite(value) : .nonFinite(value)
    }

    private static func word(_ start: UnsafePointer<UInt8>, _ count: Int) -> ParsedNumber {
        var lower = [UInt8](repeating: 0, count: min(count, 10))
        if count > 10 { return .text }
        for k in 0..<count { lower[k] = start[k] | (start[k] >= 0x41 && start[k] <= 0x5A ? 0x20 : 0) }
        switch String(decoding: lower, as: UTF8.self) {
        case "nan", "+nan", "-nan": return .nonFinite(.nan)
        case "inf", "+inf", "infinity", "+infinity": return .nonFinite(.infinity)
        case "-inf", "-infinity": return .nonFinite(-.infinity)
        case "na", "n/a", "null", "?", "none": return .missing
        default: return .text
        }
    }
}
