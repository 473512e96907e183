import Foundation
import Testing

@testable import TrainingProtocol

/// `count` floats with varied bit patterns, fast to make in debug builds (no per-element closures).
func patternFloats(_ count: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        guard let base = buffer.baseAddress else { return }
        var state: UInt32 = 0x1234_5678
        for index in 0..<count {
            state = state &* 1_664_525 &+ 1_013_904_223
            base[index] = Float(bitPattern: state)
        }
        initialized = count
    }
}

/// Bitwise equality of two float arrays (memcmp: fast in debug builds).
func bitwiseEqual(_ a: [Float], _ b: [Float]) -> Bool {
    a.count == b.count
        && a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 }
        }
}

@Suite("Payload framing")
struct PayloadFramingTests {
    let perFrame = WireConstants.maxFrameElements

    @Test("frame counts at the 16 MiB boundaries")
    func frameCounts() {
        #expect(perFrame == 4_194_304)
        #expect(PayloadFraming.frameCount(elementCount: 0) == 0)
        #expect(PayloadFraming.frameCount(elementCount: 1) == 1)
        #expect(PayloadFraming.frameCount(elementCount: perFrame) == 1)
        #expect(PayloadFraming.frameCount(elementCount: perFrame + 1) == 2)
        #expect(PayloadFraming.frameCount(elementCount: 2 * perFrame) == 2)
        #expect(
            PayloadFraming.frameRanges(elementCount: 2 * perFrame + 3) == [
                0..<perFrame, perFrame..<(2 * perFrame), (2 * perFrame)..<(2 * perFrame + 3),
            ])
    }

    @Test("an empty payload has no frames and reassembles to nothing")
    func empty() throws {
        #expect(PayloadFraming.split([]).isEmpty)
        #expect(try PayloadFraming.reassemble([], count: 0).isEmpty)
        #expect(throws: ProtocolError.frameCountMismatch(.parameterBroadcast, expected: 0, received: 1)) {
            try PayloadFraming.reassemble([[]], count: 0)
        }
    }

    @Test("exactly 16 MiB is one full frame; one more float adds a 4-byte frame")
    func boundaries() throws {
        var values = patternFloats(perFrame + 1)
        values[0] = .nan
        values[1] = -0.0
        values[perFrame] = .infinity
        let exact = Array(values.prefix(perFrame))
        let exactFrames = PayloadFraming.split(exact)
        #expect(exactFrames.map(\.count) == [WireConstants.maxFrameBytes])
        #expect(bitwiseEqual(try PayloadFraming.reassemble(exactFrames, count: perFrame), exact))

        let frames = PayloadFraming.split(values)
        #expect(frames.map(\.count) == [WireConstants.maxFrameBytes, 4])
        #expect(Array(frames[1]) == [0x00, 0x00, 0x80, 0x7F])
        #expect(bitwiseEqual(try PayloadFraming.reassemble(frames, count: perFrame + 1), values))

        #expect(
            throws: ProtocolError.payloadFrameSize(
                .parameterBroadcast, frame: 0, expected: WireConstants.maxFrameBytes,
                found: WireConstants.maxFrameBytes - 4)
        ) {
            try PayloadFraming.reassemble(
                [Array(frames[0].dropLast(4)), frames[1] + [0, 0, 0, 0]], count: perFrame + 1)
        }
        #expect(throws: ProtocolError.frameCountMismatch(.parameterBroadcast, expected: 2, received: 1)) {
            try PayloadFraming.reassemble([frames[0]], count: perFrame + 1)
        }
    }

    @Test("a 16 MiB + 1 float broadcast crosses the wire as three frames and decodes bit for bit")
    func bigBroadcast() throws {
        let values = patternFloats(perFrame + 1)
        let message = Message.parameterBroadcast(
            ParameterBroadcast(version: 3, step: 2, parameters: FloatPayload(values)))
        let encoded = try Envelope(jobID: Samples.job, message: message).encode()
        #expect(encoded.frameCount == 3)
        let frames = encoded.frames
        #expect(frames.map(\.count) == [56, WireConstants.maxFrameBytes, 4])
        let context = DecodingContext(receiver: .worker, jobID: Samples.job, parameterCount: perFrame + 1)
        guard case .parameterBroadcast(let received) = try Envelope.decode(frames, context: context).message else {
            Issue.record("expected a parameter broadcast")
            return
        }
        #expect(bitwiseEqual(received.parameters.toArray(), values))
        #expect(!bitwiseEqual(received.parameters.toArray(), patternFloats(perFrame)))
        var chunkSizes: [Int] = []
        received.parameters.withChunks { chunkSizes.append($0.count) }
        #expect(chunkSizes == [perFrame, 1])
    }

    @Test("received frames are viewed in place, without a copy")
    func zeroCopyView() throws {
        let frames = PayloadFraming.split(Samples.floats(1000))
        let payload = try FloatPayload(littleEndianFrames: frames, count: 1000, kind: .gradientResult)
        let frameAddress = frames[0].withUnsafeBytes { UInt(bitPattern: $0.baseAddress) }
        var viewAddress: UInt = 0
        payload.withChunks { viewAddress = UInt(bitPattern: $0.baseAddress) }
        #expect(viewAddress == frameAddress)
        #expect(payload.frameBytes(at: 0) == frames[0])
    }

    @Test("the fast byte-order path equals the explicit bit-pattern path")
    func portableEquivalence() {
        var values = Samples.floats(4099, seed: 3)
        values[7] = .nan
        values[8] = -.infinity
        values[9] = .leastNonzeroMagnitude
        values.withUnsafeBufferPointer { buffer in
            let fast = PayloadFraming.littleEndianBytes(buffer)
            #expect(fast == PayloadFraming.portableLittleEndianBytes(buffer))
            var decodedFast = [Float](repeating: 0, count: values.count)
            var decodedPortable = [Float](repeating: 1, count: values.count)
            fast.withUnsafeBytes { bytes in
                decodedFast.withUnsafeMutableBufferPointer { PayloadFraming.decodeLittleEndian(bytes, into: $0) }
                decodedPortable.withUnsafeMutableBufferPointer { PayloadFraming.portableDecode(bytes, into: $0) }
            }
            #expect(decodedFast.map(\.bitPattern) == values.map(\.bitPattern))
            #expect(decodedPortable.map(\.bitPattern) == values.map(\.bitPattern))
        }
        #expect(PayloadFraming.split([1.0]) == [[0x00, 0x00, 0x80, 0x3F]])
    }

    @Test("payload equality is bitwise")
    func bitwiseEquality() throws {
        #expect(FloatPayload([.nan]) == FloatPayload([.nan]))
        #expect(FloatPayload([0.0]) != FloatPayload([-0.0]))
        #expect(FloatPayload([1, 2]) != FloatPayload([1]))
        let frames = PayloadFraming.split([1, 2, 3])
        #expect(
            try FloatPayload(littleEndianFrames: frames, count: 3, kind: .localSGDResult) == FloatPayload([1, 2, 3]))
    }
}
