import Testing

@testable import TrainingProtocol

@Suite("Round trips")
struct RoundTripTests {
    @Test("every message kind survives encode then decode unchanged")
    func everyKind() throws {
        var kinds = Set<MessageKind>()
        for (message, receiver) in Samples.all {
            let frames = try Samples.frames(message)
            let envelope = try Envelope.decode(frames, context: Samples.context(receiver))
            #expect(envelope.message == message, "\(message.kind)")
            #expect(envelope.jobID == Samples.job)
            #expect(envelope.protocolVersion == WireConstants.protocolVersion)
            #expect(frames[0].count == message.kind.headerSize)
            kinds.insert(message.kind)
        }
        #expect(kinds == Set(MessageKind.allCases))
    }

    @Test("re-encoding a decoded message gives the same bytes")
    func canonicalBytes() throws {
        for (message, receiver) in Samples.all {
            let frames = try Samples.frames(message)
            let decoded = try Envelope.decode(frames, context: Samples.context(receiver))
            #expect(try decoded.encode().frames == frames, "\(message.kind)")
        }
    }

    @Test("zero-copy frame access gives the same bytes as the copied frames")
    func frameAccess() throws {
        for (message, _) in Samples.all {
            let encoded = try Envelope(jobID: Samples.job, message: message).encode()
            let frames = encoded.frames
            #expect(frames.count == encoded.frameCount)
            for index in 0..<encoded.frameCount {
                #expect(encoded.withFrameBytes(at: index) { Array($0) } == frames[index])
            }
        }
    }

    @Test("frame layout: metadata only for kinds with variable fields, payload frames after")
    func frameLayout() throws {
        for (message, _) in Samples.all {
            let frames = try Samples.frames(message)
            let declared =
                Int(frames[0][28]) | Int(frames[0][29]) << 8 | Int(frames[0][30]) << 16 | Int(frames[0][31]) << 24
            #expect(declared == frames.count)
            switch message {
            case .gradientResult(let result) where result.sharedSlot != nil:
                #expect(frames.count == 1, "the sum is in shared memory")
            case .parameterBroadcast, .gradientResult, .localSGDResult:
                #expect(frames.count == 2)
                #expect(frames[1].count == Samples.parameterCount * 4)
            case .dataChunk(let chunk):
                #expect(frames.count == (chunk.bytes.isEmpty ? 1 : 2))
            default:
                #expect(frames.count == (message.kind.hasMetadata ? 2 : 1))
            }
        }
    }

    @Test("a registration for any job, and a worker not yet bound to a job")
    func unspecifiedJob() throws {
        let frames = try Samples.frames(.register(Samples.register), job: .unspecified)
        let envelope = try Envelope.decode(frames, context: Samples.context(.coordinator))
        #expect(envelope.jobID.isUnspecified)
        let accept = try Samples.frames(.accept(Samples.accept), job: Samples.otherJob)
        let received = try Envelope.decode(accept, context: DecodingContext(receiver: .worker, jobID: nil))
        #expect(received.jobID == Samples.otherJob)
    }

    @Test("a refusal is readable whatever its job id and protocol version")
    func refusalAcrossVersions() throws {
        let refusal = Refuse(
            worker: Samples.worker, reason: .protocolVersion, text: "speak version 1", minimumVersion: 1,
            maximumVersion: 1)
        var frames = try Samples.frames(.refuse(refusal), job: Samples.otherJob)
        frames[0][4] = 7
        let envelope = try Envelope.decode(frames, context: Samples.context(.worker))
        #expect(envelope.protocolVersion == 7)
        #expect(envelope.jobID == Samples.otherJob)
        #expect(envelope.message == .refuse(refusal))
    }

    @Test("job ids and digests print and parse in their canonical text forms")
    func identifierText() throws {
        let job = Samples.job
        #expect(job.description.count == 36)
        #expect(JobID(uuidString: job.description) == job)
        #expect(JobID(uuidString: job.description.uppercased()) == job)
        #expect(JobID(uuidString: "not-a-uuid") == nil)
        #expect(JobID(uuidString: "0123456789abcdef0123456789abcdef") == nil)
        #expect(job.bytes[6] >> 4 == 4)
        let digest = Samples.digest(3)
        #expect(ContentDigest(hex: digest.description) == digest)
        #expect(ContentDigest(hex: "zz") == nil)
        #expect(WorkerIdentity(bytes: [0] + [UInt8](repeating: 1, count: 15)) == nil)
        #expect(WorkerIdentity.random().bytes[0] != 0)
    }
}

@Suite("Wire layout")
struct WireLayoutTests {
    @Test("a heartbeat's bytes match the layout table in docs/PROTOCOL.md")
    func heartbeatGolden() throws {
        let job = JobID(uuidString: "00112233-4455-6677-8899-aabbccddeeff")!
        let frames = try Envelope(jobID: job, message: .heartbeat(Heartbeat(sequence: 0x0102, lastParameterVersion: 5)))
            .encode().frames
        let expected: [UInt8] = [
            0x54, 0x59, 0x52, 0x44, 0x02, 0x00,
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF,
            0x04, 0x00, 0x30, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
            0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ]
        #expect(frames == [expected])
    }

    @Test("a gradient result's fields sit at the documented offsets")
    func gradientOffsets() throws {
        let frames = try Samples.frames(.gradientResult(Samples.gradientResult))
        let head = frames[0]
        func u64(_ offset: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(head[offset + $1]) << (8 * UInt64($1)) } }
        func u32(_ offset: Int) -> UInt64 { (0..<4).reduce(0) { $0 | UInt64(head[offset + $1]) << (8 * UInt64($1)) } }
        #expect(head[22] == MessageKind.gradientResult.rawValue)
        #expect(u64(32) == 17)
        #expect(u64(40) == 18)
        #expect(u64(48) == 64)
        #expect(Double(bitPattern: u64(56)) == 41.25)
        #expect(u32(64) == 2)
        #expect(u32(68) == 2)
        #expect(u32(72) == 8)
        #expect(u32(76) == 0)
        #expect(u64(80) == UInt64(Samples.parameterCount))
        let shared = try Samples.frames(.gradientResult(Samples.sharedGradientResult))
        #expect(shared.count == 1 && shared[0][76] == 4, "slot 3 is written as 4; 0 means payload frames")
        let first = Samples.floats(Samples.parameterCount)[0].bitPattern
        #expect(
            UInt32(frames[1][0]) | UInt32(frames[1][1]) << 8 | UInt32(frames[1][2]) << 16 | UInt32(frames[1][3]) << 24
                == first)
    }

    @Test("the subscription prefix is the first 22 bytes of this job's broadcasts only")
    func subscriptionPrefix() throws {
        let broadcast = Message.parameterBroadcast(
            ParameterBroadcast(version: 2, step: 1, parameters: FloatPayload([1, 2])))
        let prefix = Envelope.subscriptionPrefix(jobID: Samples.job)
        #expect(prefix.count == 22)
        #expect(Array(try Samples.frames(broadcast)[0].prefix(22)) == prefix)
        #expect(Array(try Samples.frames(broadcast, job: Samples.otherJob)[0].prefix(22)) != prefix)
    }

    @Test("every kind's header size is a multiple of 8 and its receivers are fixed")
    func kindTable() {
        for kind in MessageKind.allCases {
            #expect(kind.headerSize.isMultiple(of: 8))
            #expect(kind.headerSize >= WireConstants.commonHeaderSize)
            #expect(kind.isReceivable(by: .coordinator) || kind.isReceivable(by: .worker))
        }
        #expect(MessageKind.refuse.rawValue == 3)
        #expect(MessageKind.refuse.headerSize == 56)
    }
}
