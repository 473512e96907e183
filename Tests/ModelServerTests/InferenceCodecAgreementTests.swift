import Datasets
import Foundation
import NIOCore
import Testing

@testable import ModelServer

/// The hand-written decoder and encoder against the code they replaced (``ReferenceCodec``,
/// `JSONSerialization` underneath): the same requests on valid bodies, never looser on broken
/// ones, byte-identical responses.
@Suite struct InferenceCodecAgreementTests {
    func newDecode(_ body: [UInt8], _ header: String? = nil) -> Result<InferenceRequest, InferenceError> {
        Result { () throws(InferenceError) in try InferenceCodec.decodeRequest(body, headerLength: header) }
    }

    func oldDecode(_ body: [UInt8], _ header: String? = nil) -> Result<InferenceRequest, InferenceError> {
        Result { () throws(InferenceError) in try ReferenceCodec.decodeRequest(body, headerLength: header) }
    }

    /// Everything a decoded request says, as text (values by bit pattern) for comparison.
    func summary(_ r: InferenceRequest) -> String {
        let inputs = r.inputs.map { "\($0.name)|\($0.datatype.rawValue)|\($0.shape)|\($0.values.map(\.bitPattern))" }
        let outputs = r.outputs.map { $0.map { "\($0.name)=\(String(describing: $0.binary))" } }
        return
            "id=\(String(describing: r.id)) inputs=\(inputs) outputs=\(String(describing: outputs)) binary=\(r.binaryOutput)"
    }

    /// A number's JSON text in one of several spellings JSON allows.
    func numberText(_ value: Double, integer: Bool, _ g: inout SplitMix64) -> String {
        if integer { return String(Int64(value)) }
        switch Int.random(in: 0..<5, using: &g) {
        case 0: return "\(value)".replacingOccurrences(of: "e+", with: "e")
        case 1: return String(format: "%.3f", value)
        case 2: return String(format: "%.17g", value)
        case 3: return String(format: "%E", value)
        default: return String(format: "%.2e", value)
        }
    }

    func space(_ g: inout SplitMix64) -> String { ["", "", " ", "\n  ", "\t", "\r\n"].randomElement(using: &g)! }

    /// A random valid request: any key order, whitespace, flat or nested data, every
    /// datatype, escaped strings, unknown keys, requested outputs.
    func randomRequest(_ g: inout SplitMix64) -> String {
        let type = ["FP32", "FP64", "INT32", "INT64"].randomElement(using: &g)!
        let integer = type.hasPrefix("INT")
        let rows = Int.random(in: 1...3, using: &g), width = Int.random(in: 1...6, using: &g)
        let values = (0..<(rows * width)).map { _ -> Double in
            integer
                ? Double(Int.random(in: -1000...1000, using: &g))
                : Double.random(in: -1e4...1e4, using: &g) * pow(10, Double(Int.random(in: -8...3, using: &g)))
        }
        let s = space(&g)
        let data: String
        if Bool.random(using: &g) {
            data = "[" + values.map { s + numberText($0, integer: integer, &g) }.joined(separator: ",") + "]"
        } else {
            data =
                "["
                + (0..<rows).map { r in
                    "["
                        + (0..<width).map { numberText(values[r * width + $0], integer: integer, &g) }.joined(
                            separator: "," + s) + "]"
                }.joined(separator: ",") + "]"
        }
        var tensor = [
            #""name"\#(s):"input""#, #""datatype":"\#(type)""#, #""shape":[\#(rows),\#(s)\#(width)]"#,
            #""data":\#(data)"#,
        ]
        if Bool.random(using: &g) { tensor.append(#""parameters":{"note":[1,{"x":null}],"\u0062ig":true}"#) }
        tensor.shuffle(using: &g)
        var top = [#""inputs":[{\#(tensor.joined(separator: "," + s))}]"#]
        if Bool.random(using: &g) { top.append(#""id":"r\u00e9q-\#(Int.random(in: 0...999, using: &g))\n\"\\\/""#) }
        if Bool.random(using: &g) { top.append(#""parameters":{"binary_data_output":\#(Bool.random(using: &g))}"#) }
        if Bool.random(using: &g) {
            top.append(
                #""outputs":[{"name":"label","parameters":{"binary_data":\#(Bool.random(using: &g))}},{"name":"probabilities"}]"#
            )
        }
        if Bool.random(using: &g) { top.append(#""extra":{"deep":[[[]]],"s":"\ud83d\ude00 ok","n":-0.5e-3}"#) }
        top.shuffle(using: &g)
        return "{" + s + top.joined(separator: s + "," + s) + s + "}" + s
    }

    @Test func validRequestsDecodeExactlyAsJSONSerializationDid() throws {
        var g = SplitMix64(seed: 42)
        for _ in 0..<2000 {
            let body = Array(randomRequest(&g).utf8)
            let old = try oldDecode(body).get()
            let new = newDecode(body)
            guard case .success(let decoded) = new else {
                Issue.record("refused: \(String(decoding: body, as: UTF8.self)): \(new)")
                continue
            }
            #expect(summary(decoded) == summary(old), "\(String(decoding: body, as: UTF8.self))")
        }
    }

    @Test func numbersAreCorrectlyRoundedLikeStrtod() throws {
        var g = SplitMix64(seed: 7)
        var texts = [
            "0", "-0", "1", "-1", "0.1", "0.30000000000000004", "1e22", "1e23", "9007199254740993",
            "123456789012345678901234567890",
            "2.2250738585072014e-308", "4.9e-324", "1e-400", "1.7976931348623157e308", "0.000001", "1E5", "1e+5",
            "-12.5E-3",
            "18446744073709551616", "3.4028235e38", "3.4028236e38",
            "1.00000000000000011102230246251565404236316680908203125",
        ]
        for _ in 0..<5000 {
            let v = Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &g))
            if v.isFinite {
                texts.append(String(format: ["%.17g", "%.6g", "%.12e", "%.0f"].randomElement(using: &g)!, v))
            }
            texts.append(String(Int64.random(in: Int64.min...Int64.max, using: &g)))
        }
        for text in texts where !text.contains("inf") && !text.contains("nan") && text.count < 400 {
            let bytes = Array(text.utf8)
            let parsed = bytes.withUnsafeBytes { raw in try? JSONScanner(raw).number(0) }
            #expect(parsed?.value == Double(text), "\(text)")
            #expect(parsed?.end == bytes.count, "\(text)")
        }
    }

    @Test func malformedJSONIsNamedWithItsPosition() {
        let cases: [(String, String)] = [
            (#"{"inputs":[1,]}"#, "unexpected ']'; expected a value at byte 13"),
            (#"{"inputs":[] "x":1}"#, "expected ',' or '}' at byte 13"),
            (#"{"id":"a","id":"b","inputs":[]}"#, "duplicate key 'id' in the request"),
            (#"{"inputs":[01]}"#, "leading zero at byte 11"),
            (#"{"inputs":[1e999]}"#, "number 1e999 is not representable at byte 11"),
            (#"{"inputs":[-]}"#, "needs a digit after '-' at byte 11"),
            (#"{"inputs":[1.]}"#, "needs a digit after '.'"),
            (#"{"inputs":[NaN]}"#, "unexpected 'N'; expected a value"),
            (#"{"id":"\ud800","inputs":[]}"#, "unpaired UTF-16 surrogate"),
            (#"{"id":"\x","inputs":[]}"#, "invalid escape"),
            ("{\"id\":\"a\u{01}\"}", "unescaped control character 0x01"),
            (#"{"id":"abc"#, "unterminated string at byte 6"),
            ("5", "the top level must be an object"),
            ("{} x", "unexpected 'x' after the JSON value at byte 3"),
            (String(repeating: "[", count: 600), "nested deeper than 512"),
            (
                #"{"inputs":[{"name":"input","datatype":"FP32","shape":[1],"data":["a"]}]}"#,
                "must hold numbers, found \"a\""
            ),
        ]
        for (json, expected) in cases {
            let result = newDecode(Array(json.utf8))
            guard case .failure(let error) = result else {
                Issue.record("accepted \(json)")
                continue
            }
            #expect(error.status == 400 && error.message.contains(expected), "\(json): \(error.message)")
        }
        let invalidUTF8: [UInt8] = Array(#"{"id":""#.utf8) + [0xC0, 0x80] + Array(#""}"#.utf8)
        #expect((try? newDecode(invalidUTF8).get()) == nil)
        if case .failure(let error) = newDecode(invalidUTF8) {
            #expect(error.message.contains("invalid UTF-8 byte 0xC0 at byte 7"))
        }
    }

    /// Thousands of randomly mutated bodies: the new decoder never traps, answers 4xx when it
    /// refuses, and accepts nothing the old one refused (nor decodes anything differently).
    @Test func mutatedBodiesAreNeverAcceptedLooselyOrDifferently() {
        var g = SplitMix64(seed: 99)
        var accepted = 0
        for _ in 0..<6000 {
            var b = Array(randomRequest(&g).utf8)
            for _ in 0..<Int.random(in: 1...4, using: &g) {
                let pos = Int.random(in: 0...b.count, using: &g)
                switch Int.random(in: 0..<10, using: &g) {
                case 0..<4 where !b.isEmpty: b[min(pos, b.count - 1)] = UInt8.random(in: 0...255, using: &g)
                case 0..<7: b.insert(Array(#"{}[],:"0-.e\ "#.utf8).randomElement(using: &g)!, at: pos)
                case 7..<9: b.removeSubrange(pos..<min(b.count, pos + Int.random(in: 1...8, using: &g)))
                default: b = Array(b[..<pos])
                }
            }
            let header: String? =
                Int.random(in: 0..<10, using: &g) == 0 ? String(Int.random(in: -1...(b.count + 2), using: &g)) : nil
            switch (newDecode(b, header), oldDecode(b, header)) {
            case (.success(let new), .success(let old)):
                accepted += 1
                #expect(summary(new) == summary(old), "\(String(decoding: b, as: UTF8.self))")
            case (.success, .failure(let old)):
                Issue.record(
                    "accepted what JSONSerialization refused (\(old.message)): \(String(decoding: b, as: UTF8.self))")
            case (.failure(let new), _):
                #expect((400..<500).contains(new.status) && !new.message.isEmpty)
            }
        }
        #expect(accepted > 100)
    }

    func randomOutputs(_ g: inout SplitMix64) -> ([OutputTensor], [Bool]) {
        let strings = ["0", "yes", "a\"b", "back\\slash", "tab\tnew\nline\r", "\u{01}\u{1F}", "é😀", ""]
        var outputs: [OutputTensor] = []
        for k in 0..<Int.random(in: 1...3, using: &g) {
            let n = Int.random(in: 0...4, using: &g)
            let data: OutputData
            switch Int.random(in: 0..<3, using: &g) {
            case 0:
                data = .floats(
                    (0..<n).map { _ in
                        [Float.random(in: -1...1, using: &g), .nan, .infinity, 1e-30, 3.4e38, 0.1, -0].randomElement(
                            using: &g)!
                    })
            case 1: data = .integers((0..<n).map { _ in Int64.random(in: Int64.min...Int64.max, using: &g) })
            default: data = .strings((0..<n).map { _ in strings.randomElement(using: &g)! })
            }
            outputs.append(OutputTensor(name: strings.randomElement(using: &g)! + "\(k)", shape: [1, n], data: data))
        }
        return (outputs, outputs.map { _ in Bool.random(using: &g) })
    }

    @Test func responsesAreByteIdenticalToTheStringEncoder() {
        var g = SplitMix64(seed: 5)
        for _ in 0..<2000 {
            let (outputs, binary) = randomOutputs(&g)
            let id: String? = Bool.random(using: &g) ? "req \"\(Int.random(in: 0...9, using: &g))\"\n" : nil
            let old = ReferenceCodec.encodeResponse(
                model: "m\\1", version: "12", id: id, outputs: outputs, binary: binary)
            let new = InferenceCodec.encodeResponse(
                model: "m\\1", version: "12", id: id, outputs: outputs, binary: binary)
            #expect(new.body == old.body && new.headerLength == old.headerLength)
            var buffer = ByteBufferAllocator().buffer(capacity: 16)
            buffer.writeString("xx")
            buffer.moveReaderIndex(forwardBy: 2)
            let length = InferenceCodec.encodeResponse(
                into: &buffer, model: "m\\1", version: "12", id: id, outputs: outputs, binary: binary)
            #expect(Array(buffer.readableBytesView) == old.body && length == old.headerLength)
            if old.headerLength == nil {
                #expect((try? JSONSerialization.jsonObject(with: Data(new.body))) != nil)
            }
        }
        for s in ["", "plain", "quote\" and \\ and \u{7}", "ünïcødé 😀"] {
            #expect(InferenceCodec.quote(s) == ReferenceCodec.quote(s))
        }
    }
}
