import TrainingProtocol

/// A seeded SplitMix64 generator: deterministic test data and fuzzing.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Sample values of every message kind, shared by the round-trip, validation and fuzz tests.
enum Samples {
    static let parameterCount = 10

    static var job: JobID {
        var generator = SplitMix64(seed: 1)
        return JobID.random(using: &generator)
    }

    static var otherJob: JobID {
        var generator = SplitMix64(seed: 2)
        return JobID.random(using: &generator)
    }

    static var worker: WorkerIdentity {
        var generator = SplitMix64(seed: 3)
        return WorkerIdentity.random(using: &generator)
    }

    static func digest(_ seed: UInt8) -> ContentDigest {
        ContentDigest(bytes: (0..<32).map { UInt8(truncatingIfNeeded: Int($0) &* 7 &+ Int(seed)) })!
    }

    static func floats(_ count: Int, seed: UInt64 = 5) -> [Float] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in Float.random(in: -1...1, using: &generator) }
    }

    static var register: Register {
        Register(
            worker: worker, processID: 4242, threads: 2,
            capabilities: [.dataStreaming, .localSGD, Capabilities(rawValue: 1 << 4)],
            hostName: "node-7.cluster", cachedDatasets: [digest(1), digest(2)])
    }

    static var accept: Accept {
        Accept(
            worker: worker, workerIndex: 3, heartbeatIntervalMilliseconds: 500, heartbeatTimeoutMilliseconds: 5_000,
            parameterCount: UInt64(parameterCount), parameterVersion: 12, datasetDigest: digest(1),
            configDigest: digest(9),
            jobConfiguration: "model:\n  kind: logistic\ntraining:\n  seed: 7\n")
    }

    static var workAssignment: WorkAssignment {
        WorkAssignment(
            step: 17, parameterVersion: 18, epoch: 2, microShardsPerBatch: 8, mode: .sync, localSteps: 1,
            datasetDigest: digest(1),
            microShards: [
                MicroShard(index: 2, rowStart: 64, rowCount: 32), MicroShard(index: 3, rowStart: 96, rowCount: 32),
            ])
    }

    static var localWorkAssignment: WorkAssignment {
        WorkAssignment(
            step: 4, parameterVersion: 5, epoch: 0, microShardsPerBatch: 4, mode: .localSGD, localSteps: 2,
            datasetDigest: digest(1),
            microShards: [
                MicroShard(index: 0, rowStart: 0, rowCount: 16), MicroShard(index: 1, rowStart: 16, rowCount: 16),
                MicroShard(index: 0, rowStart: 32, rowCount: 16), MicroShard(index: 3, rowStart: 48, rowCount: 0),
            ])
    }

    static var gradientResult: GradientResult {
        GradientResult(
            step: 17, parameterVersion: 18, exampleCount: 64, lossSum: 41.25, microShards: 2..<4,
            microShardsPerBatch: 8,
            gradientSum: FloatPayload(floats(parameterCount)))
    }

    /// The same result with its sum in shared-memory slot 3 (no payload frames).
    static var sharedGradientResult: GradientResult {
        var result = gradientResult
        result.gradientSum = .notCarried(count: parameterCount)
        result.sharedSlot = 3
        return result
    }

    /// One message of every kind, plus variants, each with the role that receives it.
    static var all: [(Message, Role)] {
        [
            (.register(register), .coordinator),
            (
                .register(
                    Register(
                        worker: worker, processID: 1, threads: 1, capabilities: Capabilities(rawValue: 1 << 63),
                        hostName: "", cachedDatasets: [])), .coordinator
            ),
            (.accept(accept), .worker),
            (.refuse(Refuse(worker: worker, reason: .wrongJob, text: "this coordinator runs another job")), .worker),
            (
                .refuse(
                    Refuse(
                        worker: nil, reason: RefusalReason(rawValue: 900), text: "née in a later version ✓",
                        minimumVersion: 1, maximumVersion: 3)), .worker
            ),
            (.heartbeat(Heartbeat(sequence: 99, lastParameterVersion: 18)), .worker),
            (.heartbeat(Heartbeat(sequence: 0, lastParameterVersion: 0)), .coordinator),
            (.workAssignment(workAssignment), .worker),
            (.workAssignment(localWorkAssignment), .worker),
            (
                .dataChunkRequest(DataChunkRequest(datasetDigest: digest(1), offset: 1 << 33, length: 1 << 20)),
                .coordinator
            ),
            (
                .dataChunk(
                    DataChunk(datasetDigest: digest(1), offset: 100, totalBytes: 1_000, bytes: [1, 2, 3, 250, 0])),
                .worker
            ),
            (.dataChunk(DataChunk(datasetDigest: digest(1), offset: 1_000, totalBytes: 1_000, bytes: [])), .worker),
            (
                .parameterBroadcast(
                    ParameterBroadcast(version: 19, step: 18, parameters: FloatPayload(floats(parameterCount)))),
                .worker
            ),
            (.catchUpRequest(CatchUpRequest(haveVersion: 0)), .coordinator),
            (.gradientResult(gradientResult), .coordinator),
            (.gradientResult(sharedGradientResult), .coordinator),
            (
                .sharedMemoryOffer(
                    SharedMemoryOffer(
                        slotCount: 4, parameterCount: UInt64(parameterCount),
                        path: "/dev/shm/trainyard-job-worker-gradients")), .coordinator
            ),
            (
                .localSGDResult(
                    LocalSGDResult(
                        step: 4, baseVersion: 5, localSteps: 2, exampleCount: 64, lossSum: 30.0,
                        parameters: FloatPayload(floats(parameterCount, seed: 9)))), .coordinator
            ),
            (.shutdown(Shutdown(reason: .jobFinished, text: "training complete")), .worker),
            (.shutdown(Shutdown(reason: .workerExiting, text: "SIGINT")), .coordinator),
            (.error(ErrorReport(code: .notRegistered, step: 0, text: "register first")), .worker),
            (.error(ErrorReport(code: .malformedMessage, step: 3, text: "bad frame")), .coordinator),
            (
                .resultRejected(ResultRejected(step: 17, parameterVersion: 10, currentVersion: 20, reason: .stale)),
                .worker
            ),
        ]
    }

    /// The frames of `message` for the sample job.
    static func frames(_ message: Message, job: JobID = Samples.job) throws -> [[UInt8]] {
        try Envelope(jobID: job, message: message).encode().frames
    }

    static func context(_ role: Role) -> DecodingContext {
        DecodingContext(receiver: role, jobID: job, parameterCount: parameterCount)
    }
}
