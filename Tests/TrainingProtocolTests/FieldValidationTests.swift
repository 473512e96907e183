import Testing

@testable import TrainingProtocol

@Suite("Field validation")
struct FieldValidationTests {
    let coordinator = Samples.context(.coordinator)
    let worker = Samples.context(.worker)

    @Test("registration: identity, pid, threads")
    func registration() throws {
        let base = try Samples.frames(.register(Samples.register))
        var frames = base
        frames[0][32] = 0
        #expect(isOutOfRange(decodeError(frames, coordinator), "worker", offset: 32))
        frames = base
        patch(&frames, at: 48, size: 4, 0)
        #expect(isOutOfRange(decodeError(frames, coordinator), "processID", offset: 48))
        frames = base
        patch(&frames, at: 52, size: 4, 0)
        #expect(isOutOfRange(decodeError(frames, coordinator), "threads", offset: 52))
        patch(&frames, at: 52, size: 4, UInt64(WireConstants.maxThreads) + 1)
        let error = decodeError(frames, coordinator)
        #expect(isOutOfRange(error, "threads", offset: 52))
        #expect(error?.description == "register.threads (frame 0, offset 52): expected 1...65536, found 65537")
    }

    @Test("strings: too long, truncated, not UTF-8, trailing bytes")
    func strings() throws {
        var long = Samples.register
        long.hostName = String(repeating: "h", count: 256)
        let position = FieldPosition(kind: .register, field: "hostName", frame: 1, offset: 0)
        #expect(encodeError(.register(long)) == .tooLong(position, length: 256, limit: 255))

        let base = try Samples.frames(.register(Samples.register))
        var frames = base
        patch(&frames, frame: 1, at: 0, size: 4, 200)
        #expect(decodeError(frames, coordinator) == .truncated(position, needed: 200, available: frames[1].count - 4))
        frames = base
        frames[1][4] = 0xFF
        #expect(decodeError(frames, coordinator) == .invalidUTF8(position))
        frames = base
        frames[1].append(0)
        #expect(
            decodeError(frames, coordinator)
                == .trailingBytes(.register, frame: 1, offset: frames[1].count - 1, count: 1))

        let text = String(repeating: "x", count: WireConstants.maxTextBytes + 1)
        #expect(
            encodeError(.shutdown(Shutdown(reason: .jobFailed, text: text)))
                == .tooLong(
                    FieldPosition(kind: .shutdown, field: "text", frame: 1, offset: 0), length: 4097, limit: 4096))
        #expect(encodeError(.shutdown(Shutdown(reason: .jobFailed, text: String(text.dropLast())))) == nil)
    }

    @Test("lists: over the limit, or declaring more entries than the frame holds")
    func lists() throws {
        var register = Samples.register
        register.cachedDatasets = Array(repeating: Samples.digest(1), count: WireConstants.maxCachedDatasets + 1)
        guard case .tooLong(let position, 1025, 1024) = encodeError(.register(register)) else {
            Issue.record("expected tooLong for cachedDatasets")
            return
        }
        #expect(position.field == "cachedDatasets")

        var frames = try Samples.frames(.register(Samples.register))
        let countOffset = 4 + Samples.register.hostName.utf8.count
        patch(&frames, frame: 1, at: countOffset, size: 4, 1000)
        #expect(
            decodeError(frames, coordinator)
                == .truncated(
                    FieldPosition(kind: .register, field: "cachedDatasets", frame: 1, offset: countOffset),
                    needed: 32_000, available: 64))
    }

    @Test("accept: heartbeat timing, reserved bytes, model size, version")
    func accept() throws {
        let base = try Samples.frames(.accept(Samples.accept))
        var frames = base
        patch(&frames, at: 56, size: 4, 500)
        #expect(isOutOfRange(decodeError(frames, worker), "heartbeatTimeoutMs", offset: 56))
        frames = base
        patch(&frames, at: 52, size: 4, 0)
        #expect(isOutOfRange(decodeError(frames, worker), "heartbeatIntervalMs", offset: 52))
        frames = base
        frames[0][61] = 9
        #expect(
            decodeError(frames, worker)
                == .reservedNotZero(
                    FieldPosition(kind: .accept, field: "reserved", frame: 0, offset: 60), found: 9 << 8))
        frames = base
        patch(&frames, at: 64, size: 8, 0)
        #expect(isOutOfRange(decodeError(frames, worker), "parameterCount", offset: 64))
        frames = base
        patch(&frames, at: 72, size: 8, 0)
        #expect(isOutOfRange(decodeError(frames, worker), "parameterVersion", offset: 72))
    }

    @Test("refusal: reason code and version range")
    func refusal() throws {
        let base = try Samples.frames(.refuse(Refuse(worker: Samples.worker, reason: .jobFinished, text: "done")))
        var frames = base
        patch(&frames, at: 48, size: 2, 0)
        #expect(isOutOfRange(decodeError(frames, worker), "reason", offset: 48))
        frames = base
        patch(&frames, at: 50, size: 2, 3)
        #expect(isOutOfRange(decodeError(frames, worker), "minVersion", offset: 50))
        frames = base
        frames[0][32] = 0
        #expect(isOutOfRange(decodeError(frames, worker), "worker", offset: 32))
    }

    @Test("work assignment: mode, local steps, micro-shard indices and rows")
    func workAssignment() throws {
        let base = try Samples.frames(.workAssignment(Samples.workAssignment))
        var frames = base
        frames[0][56] = 9
        #expect(isOutOfRange(decodeError(frames, worker), "mode", offset: 56))
        frames = base
        patch(&frames, at: 60, size: 4, 2)
        #expect(isOutOfRange(decodeError(frames, worker), "localSteps", offset: 60))
        frames = base
        patch(&frames, at: 52, size: 4, 0)
        #expect(isOutOfRange(decodeError(frames, worker), "microShardsPerBatch", offset: 52))
        frames = base
        patch(&frames, frame: 1, at: 20, size: 4, 8)
        #expect(isOutOfRange(decodeError(frames, worker), "microShards[1].index", frame: 1, offset: 20))
        frames = base
        patch(&frames, frame: 1, at: 20, size: 4, 2)
        let order = decodeError(frames, worker)
        #expect(isOutOfRange(order, "microShards[1].index", frame: 1, offset: 20))
        #expect(order?.description.contains("strictly increasing") == true)
        frames = base
        patch(&frames, frame: 1, at: 12, size: 8, UInt64.max - 10)
        #expect(isOutOfRange(decodeError(frames, worker), "microShards[0].rowStart", frame: 1, offset: 12))
        frames = base
        patch(&frames, frame: 1, at: 0, size: 4, 0)
        frames[1] = Array(frames[1].prefix(4))
        #expect(isOutOfRange(decodeError(frames, worker), "microShards", frame: 1, offset: 0))

        var local = Samples.localWorkAssignment
        local.microShards.removeLast()
        #expect(isOutOfRange(encodeError(.workAssignment(local)), "microShards", frame: 1, offset: 0))
        #expect(Samples.localWorkAssignment.microShards(localStep: 1).map(\.index) == [0, 3])
    }

    @Test("gradient result: subtree shape, non-finite loss, model size, payload frames")
    func gradientResult() throws {
        let base = try Samples.frames(.gradientResult(Samples.gradientResult))
        var frames = base
        patch(&frames, at: 64, size: 4, 1)
        let subtree = decodeError(frames, coordinator)
        #expect(isOutOfRange(subtree, "firstMicroShard", offset: 64))
        #expect(subtree?.description.contains("leaves 1..<3") == true)

        for value in [Double.nan, .infinity, -.infinity] {
            var result = Samples.gradientResult
            result.lossSum = value
            guard case .nonFiniteLoss(let position, 17, _) = encodeError(.gradientResult(result)) else {
                Issue.record("expected nonFiniteLoss for \(value)")
                continue
            }
            #expect(position == FieldPosition(kind: .gradientResult, field: "lossSum", frame: 0, offset: 56))
            frames = base
            patch(&frames, at: 56, size: 8, value.bitPattern)
            guard case .nonFiniteLoss = decodeError(frames, coordinator) else {
                Issue.record("decoding a non-finite loss must fail")
                continue
            }
        }

        var negative = Samples.gradientResult
        negative.microShards = -2..<0
        guard case .notEncodable(.gradientResult, _) = encodeError(.gradientResult(negative)) else {
            Issue.record("a negative micro-shard range must not encode")
            return
        }
        var huge = Samples.gradientResult
        huge.microShardsPerBatch = 1 << 40
        #expect(isOutOfRange(encodeError(.gradientResult(huge)), "microShardsPerBatch", offset: 72))

        let larger = DecodingContext(receiver: .coordinator, jobID: Samples.job, parameterCount: 11)
        #expect(
            decodeError(base, larger)
                == .parameterCountMismatch(
                    FieldPosition(kind: .gradientResult, field: "parameterCount", frame: 0, offset: 80), declared: 10,
                    expected: 11))
        frames = base
        frames[1].removeLast()
        #expect(
            decodeError(frames, coordinator) == .payloadFrameSize(.gradientResult, frame: 1, expected: 40, found: 39))
        frames = base
        patch(&frames, at: 80, size: 8, UInt64(WireConstants.maxParameterCount) + 1)
        #expect(
            isOutOfRange(
                decodeError(frames, DecodingContext(receiver: .coordinator, jobID: Samples.job)), "parameterCount",
                offset: 80))
        frames = base
        patch(&frames, at: 80, size: 8, 1 << 40)
        #expect(
            isOutOfRange(
                decodeError(frames, DecodingContext(receiver: .coordinator, jobID: Samples.job)), "parameterCount",
                offset: 80))
        frames = base
        patch(&frames, at: 80, size: 8, 11)
        #expect(
            decodeError(frames, DecodingContext(receiver: .coordinator, jobID: Samples.job))
                == .payloadFrameSize(.gradientResult, frame: 1, expected: 44, found: 40))
        frames = Array(base.prefix(1))
        fixFrameCount(&frames)
        #expect(decodeError(frames, coordinator) == .frameCountMismatch(.gradientResult, expected: 2, received: 1))
    }

    @Test("a gradient result in shared memory: slot range, no payload frames, model size")
    func sharedGradientResult() throws {
        let base = try Samples.frames(.gradientResult(Samples.sharedGradientResult))
        #expect(base.count == 1)
        let decoded = try Envelope.decode(base, context: coordinator)
        guard case .gradientResult(let result) = decoded.message else {
            Issue.record("expected a gradient result")
            return
        }
        #expect(
            result.sharedSlot == 3 && !result.gradientSum.isCarried
                && result.gradientSum.count == Samples.parameterCount)

        var frames = base
        patch(&frames, at: 76, size: 4, UInt64(WireConstants.maxSharedSlots) + 1)
        #expect(isOutOfRange(decodeError(frames, coordinator), "sharedSlot", offset: 76))
        // A slot reference with payload frames as well is malformed.
        frames = base + [Array(repeating: 0, count: Samples.parameterCount * 4)]
        fixFrameCount(&frames)
        #expect(decodeError(frames, coordinator) == .frameCountMismatch(.gradientResult, expected: 1, received: 2))
        // And payload frames without the slot: the plain layout, whose frames are then missing.
        frames = base
        patch(&frames, at: 76, size: 4, 0)
        #expect(decodeError(frames, coordinator) == .frameCountMismatch(.gradientResult, expected: 2, received: 1))
        let larger = DecodingContext(receiver: .coordinator, jobID: Samples.job, parameterCount: 11)
        #expect(
            decodeError(base, larger)
                == .parameterCountMismatch(
                    FieldPosition(kind: .gradientResult, field: "parameterCount", frame: 0, offset: 80), declared: 10,
                    expected: 11))
    }

    @Test("a shared-memory offer: slot count, model size, path length")
    func sharedMemoryOffer() throws {
        let offer = SharedMemoryOffer(slotCount: 4, parameterCount: UInt64(Samples.parameterCount), path: "/dev/shm/x")
        let base = try Samples.frames(.sharedMemoryOffer(offer))
        var frames = base
        patch(&frames, at: 32, size: 4, 0)
        #expect(isOutOfRange(decodeError(frames, coordinator), "slotCount", offset: 32))
        frames = base
        patch(&frames, at: 32, size: 4, UInt64(WireConstants.maxSharedSlots) + 1)
        #expect(isOutOfRange(decodeError(frames, coordinator), "slotCount", offset: 32))
        let larger = DecodingContext(receiver: .coordinator, jobID: Samples.job, parameterCount: 11)
        #expect(
            decodeError(base, larger)
                == .parameterCountMismatch(
                    FieldPosition(kind: .sharedMemoryOffer, field: "parameterCount", frame: 0, offset: 40),
                    declared: 10, expected: 11))
        var long = offer
        long.path = String(repeating: "a", count: WireConstants.maxPathBytes + 1)
        #expect(encodeError(.sharedMemoryOffer(long)) != nil)
        // Workers never receive offers.
        #expect(
            decodeError(
                base, DecodingContext(receiver: .worker, jobID: Samples.job, parameterCount: Samples.parameterCount))
                != nil)
    }

    @Test("local-SGD results: local steps and loss")
    func results() throws {
        var frames: [[UInt8]]
        let local = try Samples.frames(Samples.all.first { $0.0.kind == .localSGDResult }!.0)
        frames = local
        patch(&frames, at: 48, size: 4, 0)
        #expect(isOutOfRange(decodeError(frames, coordinator), "localSteps", offset: 48))
        frames = local
        patch(&frames, at: 64, size: 8, Double.infinity.bitPattern)
        guard case .nonFiniteLoss = decodeError(frames, coordinator) else {
            Issue.record("expected nonFiniteLoss")
            return
        }
    }

    @Test("data chunks: lengths, offsets and the byte frame")
    func dataChunks() throws {
        let digest = Samples.digest(1)
        #expect(
            isOutOfRange(
                encodeError(.dataChunkRequest(DataChunkRequest(datasetDigest: digest, offset: 0, length: 0))), "length",
                offset: 72))
        let tooLong = UInt32(WireConstants.maxChunkBytes + 1)
        #expect(
            isOutOfRange(
                encodeError(.dataChunkRequest(DataChunkRequest(datasetDigest: digest, offset: 0, length: tooLong))),
                "length", offset: 72))
        #expect(
            isOutOfRange(
                encodeError(.dataChunkRequest(DataChunkRequest(datasetDigest: digest, offset: UInt64.max, length: 1))),
                "length", offset: 72))
        #expect(
            isOutOfRange(
                encodeError(.dataChunk(DataChunk(datasetDigest: digest, offset: 10, totalBytes: 5, bytes: []))),
                "totalBytes", offset: 72))
        #expect(
            isOutOfRange(
                encodeError(.dataChunk(DataChunk(datasetDigest: digest, offset: 4, totalBytes: 5, bytes: [1, 2]))),
                "length", offset: 80))

        var frames = try Samples.frames(
            .dataChunk(DataChunk(datasetDigest: digest, offset: 0, totalBytes: 9, bytes: [1, 2, 3])))
        frames[1].append(4)
        #expect(decodeError(frames, worker) == .payloadFrameSize(.dataChunk, frame: 1, expected: 3, found: 4))
    }

    @Test("enumerated codes: shutdown reason, error code, rejection reason")
    func codes() throws {
        var frames = try Samples.frames(.shutdown(Shutdown(reason: .removed, text: "")))
        patch(&frames, at: 32, size: 2, 0)
        #expect(isOutOfRange(decodeError(frames, worker), "reason", offset: 32))
        frames = try Samples.frames(.error(ErrorReport(code: .internalFailure, step: 0, text: "")))
        patch(&frames, at: 32, size: 2, 99)
        #expect(isOutOfRange(decodeError(frames, worker), "code", offset: 32))
        frames = try Samples.frames(
            .resultRejected(ResultRejected(step: 1, parameterVersion: 1, currentVersion: 2, reason: .duplicate)))
        patch(&frames, at: 56, size: 2, 5)
        #expect(isOutOfRange(decodeError(frames, worker), "reason", offset: 56))
        frames = try Samples.frames(
            .resultRejected(ResultRejected(step: 1, parameterVersion: 1, currentVersion: 2, reason: .duplicate)))
        patch(&frames, at: 48, size: 8, 0)
        #expect(isOutOfRange(decodeError(frames, worker), "currentVersion", offset: 48))
    }

    @Test("parameter broadcasts: version 0 and the expected model size")
    func broadcasts() throws {
        let broadcast = ParameterBroadcast(version: 0, step: 0, parameters: FloatPayload(Samples.floats(10)))
        #expect(isOutOfRange(encodeError(.parameterBroadcast(broadcast)), "version", offset: 32))
        let empty = ParameterBroadcast(version: 1, step: 0, parameters: FloatPayload([]))
        #expect(isOutOfRange(encodeError(.parameterBroadcast(empty)), "parameterCount", offset: 48))
        let valid = try Samples.frames(
            .parameterBroadcast(ParameterBroadcast(version: 1, step: 0, parameters: FloatPayload(Samples.floats(12)))))
        #expect(
            decodeError(valid, worker)
                == .parameterCountMismatch(
                    FieldPosition(kind: .parameterBroadcast, field: "parameterCount", frame: 0, offset: 48),
                    declared: 12, expected: 10))
        #expect(decodeError(valid, DecodingContext(receiver: .worker, jobID: Samples.job)) == nil)
    }
}
