import HexText
import Testing

@testable import TrainingProtocol

@Suite("Error descriptions")
struct ErrorDescriptionTests {
    @Test("every error names what was wrong, where, and what was expected")
    func descriptions() {
        let position = FieldPosition(kind: .workAssignment, field: "localSteps", frame: 0, offset: 60)
        let cases: [(ProtocolError, [String])] = [
            (.noFrames, ["0 frames"]),
            (.tooManyFrames(received: 2000, limit: 1026), ["2000", "1026"]),
            (.frameTooLarge(frame: 3, bytes: 16_777_217, limit: 16_777_216), ["frame 3", "16777217", "16777216"]),
            (.headerTruncated(bytes: 12, minimum: 32), ["12", "32"]),
            (.badMagic(found: [1, 2, 3, 4]), ["offset 0", "01 02 03 04", "TYRD"]),
            (.unsupportedVersion(found: 9, supported: 1), ["offset 4", "9", "1"]),
            (.unknownKind(code: 200), ["offset 22", "200"]),
            (.unexpectedKind(.accept, receiver: .coordinator), ["accept", "coordinator"]),
            (.nonZeroFlags(.heartbeat, found: 4), ["heartbeat", "offset 23", "4"]),
            (.headerSizeMismatch(.heartbeat, declared: 50, actual: 49, expected: 48), ["48", "50", "49", "offset 24"]),
            (.frameCountMismatch(.register, expected: 2, received: 1), ["register", "2", "1"]),
            (.missingJobID(.heartbeat), ["heartbeat", "offset 6"]),
            (
                .jobMismatch(.register, expected: Samples.job, found: Samples.otherJob),
                [Samples.job.description, Samples.otherJob.description]
            ),
            (.reservedNotZero(position, found: 7), ["workAssignment.localSteps", "offset 60", "7"]),
            (
                .outOfRange(position, found: "2", expected: "1...1"),
                ["workAssignment.localSteps", "frame 0", "offset 60", "1...1", "found 2"]
            ),
            (.nonFiniteLoss(position, step: 12, value: .nan), ["nan", "step 12", "offset 60"]),
            (.parameterCountMismatch(position, declared: 5, expected: 6), ["5", "6", "model size"]),
            (
                .payloadFrameSize(.gradientResult, frame: 1, expected: 40, found: 39),
                ["gradientResult", "frame 1", "40", "39"]
            ),
            (.truncated(position, needed: 16, available: 3), ["needed 16", "3 available"]),
            (.trailingBytes(.register, frame: 1, offset: 20, count: 2), ["frame 1", "offset 20", "2"]),
            (.tooLong(position, length: 300, limit: 255), ["300", "255"]),
            (.invalidUTF8(position), ["UTF-8", "offset 60"]),
            (.notEncodable(.gradientResult, reason: "negative index"), ["gradientResult", "negative index"]),
        ]
        for (error, fragments) in cases {
            for fragment in fragments {
                #expect(error.description.contains(fragment), "\(error.description) should mention \(fragment)")
            }
        }
    }
}

@Suite struct HexTextTests {
    @Test func encodesAndDecodesEveryByte() {
        let bytes = (0...255).map(UInt8.init)
        let text = HexText.encode(bytes)
        #expect(text.count == 512 && text.hasPrefix("000102") && text.hasSuffix("fdfeff"))
        #expect(HexText.decode(text) == bytes)
        #expect(HexText.decode(text.uppercased()) == bytes)
        #expect(HexText.encode([0x54, 0x59, 0x52], separator: " ") == "54 59 52")
    }

    @Test func rejectsMalformedText() {
        for text in ["0", "0g", "zz", "12 34"] { #expect(HexText.decode(text) == nil) }
    }
}
