import Testing

@testable import TrainingProtocol

@Suite("Header validation")
struct HeaderValidationTests {
    let heartbeat = Message.heartbeat(Heartbeat(sequence: 1, lastParameterVersion: 2))
    let coordinator = Samples.context(.coordinator)

    @Test("no frames, too many frames, an oversized frame")
    func frameLimits() throws {
        #expect(decodeError([], coordinator) == .noFrames)
        let many = [[UInt8]](repeating: [], count: WireConstants.maxFrames + 1)
        #expect(
            decodeError(many, coordinator)
                == .tooManyFrames(received: WireConstants.maxFrames + 1, limit: WireConstants.maxFrames))
        let big = try Samples.frames(heartbeat) + [[UInt8](repeating: 0, count: WireConstants.maxFrameBytes + 1)]
        #expect(
            decodeError(big, coordinator)
                == .frameTooLarge(frame: 1, bytes: WireConstants.maxFrameBytes + 1, limit: WireConstants.maxFrameBytes))
    }

    @Test("a header shorter than 32 bytes")
    func truncatedHeader() throws {
        let frames = try Samples.frames(heartbeat)
        #expect(decodeError([Array(frames[0].prefix(31))], coordinator) == .headerTruncated(bytes: 31, minimum: 32))
        #expect(decodeError([[]], coordinator) == .headerTruncated(bytes: 0, minimum: 32))
    }

    @Test("bad magic names the bytes found")
    func badMagic() throws {
        var frames = try Samples.frames(heartbeat)
        frames[0][1] = 0x58
        let error = decodeError(frames, coordinator)
        #expect(error == .badMagic(found: [0x54, 0x58, 0x52, 0x44]))
        #expect(error?.description.contains("54 58 52 44") == true)
    }

    @Test("another protocol version is refused with the protocol-version reason")
    func wrongVersion() throws {
        var frames = try Samples.frames(.register(Samples.register))
        patch(&frames, at: 4, size: 2, 1)
        let error = decodeError(frames, coordinator)
        #expect(error == .unsupportedVersion(found: 1, supported: WireConstants.protocolVersion))
        #expect(error?.refusalReason == .protocolVersion)
        var refusal = try Samples.frames(.refuse(Refuse(worker: nil, reason: .jobFull, text: "")))
        patch(&refusal, at: 4, size: 2, 0)
        #expect(
            decodeError(refusal, Samples.context(.worker))
                == .unsupportedVersion(found: 0, supported: WireConstants.protocolVersion))
    }

    @Test("unknown kinds and kinds sent the wrong way")
    func kinds() throws {
        var frames = try Samples.frames(heartbeat)
        frames[0][22] = 0
        #expect(decodeError(frames, coordinator) == .unknownKind(code: 0))
        frames[0][22] = 18
        #expect(decodeError(frames, coordinator) == .unknownKind(code: 18))
        // 11 and 12 are reserved (the evaluation messages, never sent): unknown like any unassigned code.
        for reserved: UInt8 in [11, 12] {
            #expect(MessageKind(rawValue: reserved) == nil)
            frames[0][22] = reserved
            #expect(decodeError(frames, coordinator) == .unknownKind(code: reserved))
            #expect(decodeError(frames, Samples.context(.worker)) == .unknownKind(code: reserved))
        }
        #expect(MessageKind.allCases.map(\.rawValue) == Array(1...10) + Array(13...17), "the other codes are unchanged")
        let accept = try Samples.frames(.accept(Samples.accept))
        #expect(decodeError(accept, coordinator) == .unexpectedKind(.accept, receiver: .coordinator))
        let result = try Samples.frames(.gradientResult(Samples.gradientResult))
        #expect(decodeError(result, Samples.context(.worker)) == .unexpectedKind(.gradientResult, receiver: .worker))
    }

    @Test("flags, header size and reserved bytes")
    func fixedFields() throws {
        var frames = try Samples.frames(heartbeat)
        frames[0][23] = 1
        #expect(decodeError(frames, coordinator) == .nonZeroFlags(.heartbeat, found: 1))

        frames = try Samples.frames(heartbeat)
        patch(&frames, at: 24, size: 2, 56)
        #expect(
            decodeError(frames, coordinator) == .headerSizeMismatch(.heartbeat, declared: 56, actual: 48, expected: 48))
        frames = try Samples.frames(heartbeat)
        frames[0] += [0, 0, 0, 0, 0, 0, 0, 0]
        patch(&frames, at: 24, size: 2, 56)
        #expect(
            decodeError(frames, coordinator) == .headerSizeMismatch(.heartbeat, declared: 56, actual: 56, expected: 48))

        frames = try Samples.frames(heartbeat)
        frames[0][27] = 1
        let error = decodeError(frames, coordinator)
        #expect(
            error
                == .reservedNotZero(
                    FieldPosition(kind: .heartbeat, field: "reserved", frame: 0, offset: 26), found: 256))
        #expect(error?.description.contains("offset 26") == true)
    }

    @Test("declared and actual frame counts must agree with the kind's layout")
    func frameCounts() throws {
        var frames = try Samples.frames(heartbeat)
        patch(&frames, at: 28, size: 4, 2)
        #expect(decodeError(frames, coordinator) == .frameCountMismatch(.heartbeat, expected: 2, received: 1))
        frames = try Samples.frames(heartbeat) + [[1, 2, 3]]
        fixFrameCount(&frames)
        #expect(decodeError(frames, coordinator) == .frameCountMismatch(.heartbeat, expected: 1, received: 2))
        var register = try Samples.frames(.register(Samples.register))
        register.removeLast()
        fixFrameCount(&register)
        #expect(decodeError(register, coordinator) == .frameCountMismatch(.register, expected: 2, received: 1))
        var chunk = try Samples.frames(
            .dataChunk(DataChunk(datasetDigest: Samples.digest(1), offset: 0, totalBytes: 9, bytes: [7])))
        chunk.removeLast()
        fixFrameCount(&chunk)
        #expect(
            decodeError(chunk, Samples.context(.worker)) == .frameCountMismatch(.dataChunk, expected: 2, received: 1))
    }

    @Test("job ids: missing, foreign, and the refusal a foreign registration earns")
    func jobIDs() throws {
        #expect(encodeError(heartbeat, job: .unspecified) == .missingJobID(.heartbeat))
        var unspecified = try Samples.frames(heartbeat)
        for offset in 6..<22 { unspecified[0][offset] = 0 }
        #expect(decodeError(unspecified, coordinator) == .missingJobID(.heartbeat))
        #expect(
            decodeError(unspecified, DecodingContext(receiver: .coordinator, jobID: nil)) == .missingJobID(.heartbeat))
        let foreign = try Samples.frames(heartbeat, job: Samples.otherJob)
        let error = decodeError(foreign, coordinator)
        #expect(error == .jobMismatch(.heartbeat, expected: Samples.job, found: Samples.otherJob))
        #expect(error?.refusalReason == nil)
        #expect(error?.description.contains(Samples.otherJob.description) == true)
        let register = try Samples.frames(.register(Samples.register), job: Samples.otherJob)
        #expect(decodeError(register, coordinator)?.refusalReason == .wrongJob)
        var refusal = try Samples.frames(.refuse(Refuse(worker: nil, reason: .wrongJob, text: "")))
        for offset in 6..<22 { refusal[0][offset] = 0 }
        #expect(decodeError(refusal, Samples.context(.worker)) == .missingJobID(.refuse))
    }
}
