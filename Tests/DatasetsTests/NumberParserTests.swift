import Datasets
import Foundation
import Testing

@Suite struct NumberParserTests {
    func parse(_ text: String) -> ParsedNumber {
        let bytes = Array(text.utf8) + [0]
        return bytes.withUnsafeBufferPointer { NumberParser.parse($0.baseAddress!, bytes.count - 1) }
    }

    @Test func decimalsMatchStrtod() {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<2000 {
            let value = (rng.nextUnit() - 0.5) * pow10(Int(rng.nextBelow(12)) - 6)
            for text in [String(value), String(format: "%.6f", value), String(format: "%.3e", value)] {
                #expect(parse(text) == .finite(strtod(text, nil)), "\(text)")
            }
        }
    }

    @Test func longMantissasAndExponentsUseTheSlowPath() {
        for text in [
            "3.14159265358979323846264338", "1e300", "-2.5e-310", "123456789012345678901234",
            "0.000000000000000000000000001",
        ] {
            #expect(parse(text) == .finite(strtod(text, nil)), "\(text)")
        }
    }

    @Test func classifiesMissingNonFiniteAndText() {
        #expect(parse("") == .missing)
        #expect(parse("  ") == .missing)
        #expect(parse("NA") == .missing)
        #expect(parse("null") == .missing)
        #expect(parse("?") == .missing)
        #expect(parse("inf") == .nonFinite(.infinity))
        #expect(parse("-Infinity") == .nonFinite(-.infinity))
        if case .nonFinite(let v) = parse("NaN") { #expect(v.isNaN) } else { Issue.record("NaN not non-finite") }
        #expect(parse("1.2.3") == .text)
        #expect(parse("12a") == .text)
        #expect(parse("e5") == .text)
        #expect(parse("1e") == .text)
        #expect(parse("abc") == .text)
        #expect(parse(" 42 ") == .finite(42))
        #expect(parse("+.5") == .finite(0.5))
        #expect(parse("-0") == .finite(-0.0))
    }

    func pow10(_ e: Int) -> Double {
        var v = 1.0
        for _ in 0..<abs(e) { v *= 10 }
        return e < 0 ? 1 / v : v
    }
}
