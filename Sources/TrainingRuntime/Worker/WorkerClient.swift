import Datasets
import Foundation
import GradientCore
import Logging
import TrainingProtocol
import ZeroMQ

/// How a worker run ended.
public enum WorkerExit: Equatable, Sendable {
    /// The coordinator said the job is over (finished, failed or killed).
    case shutdown(ShutdownReason, String)
    /// The coordinator refused this worker (wrong job, protocol version, …).
    case refused(String)
    /// The coordinator never answered, or went silent for too long.
    case coordinatorLost(String)
    /// Asked to stop locally (SIGINT/SIGTERM).
    case stopped
}

/// Settings of a worker process.
public struct WorkerSettings: Sendable {
    /// The coordinator's control endpoint, e.g. `tcp://10.0.0.5:5555`.
    public var connect: String
    /// The job to join; nil joins whatever job the coordinator runs.
    public var jobID: JobID?
    /// Seconds to wait for a coordinator that does not answer before giving up.
    public var giveUpAfter: Double
    public var hostName: String
    public var processID: UInt32
    /// Where dataset versions are read from, and downloaded into when missing.
    public var datasetStore: DatasetStore?
    /// Use the coordinator's shared memory when the job offers it and this host can map it.
    public var sharedMemory: Bool

    public init(connect: String, jobID: JobID?, giveUpAfter: Double, hostName: String, processID: UInt32,
                datasetStore: DatasetStore? = nil, sharedMemory: Bool = true) {
        self.sharedMemory = sharedMemory
        self.connect = connect
        self.jobID = jobID
        self.giveUpAfter = giveUpAfter
        self.hostName = hostName
        self.processID = processID
        self.datasetStore = datasetStore
    }
}

/// A worker: registers with the coordinator, follows parameter broadcasts, computes the
/// micro-shards it is assigned and sends back their gradient sums.
public final class WorkerClient {
    private let context: Context
    private let settings: WorkerSettings
    private let logger: Logger
    private let started = ContinuousClock.now
    /// Results (gradient sums and local-SGD parameters) sent so far, over all registrations.
    public private(set) var resultsSent = 0
    /// How the exchange went, over all registrations: results whose sum went through shared memory,
    /// parameter versions read from shared memory, and catch-up requests sent.
    public private(set) var sharedResults = 0
    public private(set) var sharedParameterReads = 0
    public private(set) var catchUpRequests = 0

    public init(context: Context, settings: WorkerSettings, logger: Logger) {
        self.context = context
        self.settings = settings
        self.logger = logger
    }

    private var now: Double {
        let d = ContinuousClock.now - started
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// Runs until the coordinator shuts the job down, refuses us, or is lost.
    /// - Parameter makeWorkload: builds the gradient workload from the accepted job's spec
    ///   (opens the dataset, fits nothing: transforms come fitted).
    public func run(stop: StopFlag, makeWorkload: (Accept, WorkerJobSpec) throws -> MicroShardWorkload) throws -> WorkerExit {
        while true {
            let outcome = try session(stop: stop, makeWorkload: makeWorkload)
            if case .rejoin(let why) = outcome {
                logger.notice("rejoining: \(why)")
                continue
            }
            if case .exit(let exit) = outcome { return exit }
        }
    }

    private enum SessionOutcome {
        case exit(WorkerExit)
        /// The coordinator removed us (we stalled): register again under a new identity.
        case rejoin(String)
    }

    /// One registration: a fresh identity, register, then work until the session ends.
    private func session(stop: StopFlag, makeWorkload: (Accept, WorkerJobSpec) throws -> MicroShardWorkload) throws -> SessionOutcome {
        let identity = WorkerIdentity.random()
        let dealer = try context.socket(.dealer)
        try dealer.set(.routingID, identity.bytes)
        try dealer.set(.sendHighWaterMark, 1000)
        try dealer.set(.receiveHighWaterMark, 1000)
        try dealer.set(.linger, .milliseconds(200))
        // An unreachable coordinator is retried with backoff: 100 ms, doubling up to 2 s.
        try dealer.set(.reconnectInterval, .milliseconds(100))
        try dealer.set(.reconnectIntervalMax, .seconds(2))
        try dealer.connect(settings.connect)
        var control = ProtocolSocket(dealer, context: DecodingContext(receiver: .worker, jobID: settings.jobID))
        let register = Register(worker: identity, processID: settings.processID, threads: 1,
                                capabilities: [.datasetStore, .asyncMode, .localSGD], hostName: settings.hostName, cachedDatasets: [])
        try control.send(Envelope(jobID: settings.jobID ?? .unspecified, message: .register(register)))

        // Wait for the answer.
        let registeredAt = now
        var accepted: (Accept, JobID)?
        while accepted == nil {
            if stop.isRequested { return .exit(.stopped) }
            if now - registeredAt > settings.giveUpAfter {
                return .exit(.coordinatorLost("no answer from the coordinator at \(settings.connect) within \(settings.giveUpAfter)s"))
            }
            guard let received = try control.receive(timeoutMilliseconds: 100) else { continue }
            guard case .message(let envelope, _) = received else { continue }
            switch envelope.message {
            case .accept(let accept): accepted = (accept, envelope.jobID)
            case .refuse(let refuse): return .exit(.refused("\(refuse.reason): \(refuse.text)"))
            default: continue
            }
        }
        guard let (accept, jobID) = accepted else { return .exit(.stopped) }
        let specData = Data(accept.jobConfiguration.utf8)
        let spec = try JSONDecoder().decode(WorkerJobSpec.self, from: specData)
        control.context = DecodingContext(receiver: .worker, jobID: jobID, parameterCount: Int(accept.parameterCount))
        var backlog: [Message] = []
        if let store = settings.datasetStore, !store.contains(digest: spec.datasetDigest) {
            if let exit = try download(accept.datasetDigest, into: store, control: control, jobID: jobID, stop: stop,
                                       backlog: &backlog) {
                return .exit(exit)
            }
        }
        let workload = try makeWorkload(accept, spec)
        logger.info("joined job \(jobID) as worker \(accept.workerIndex)")
        let shared = try offerSharedMemory(spec, identity: identity, jobID: jobID, parameterCount: Int(accept.parameterCount),
                                           control: control)
        defer { shared?.gradients.remove() }

        let sub = try context.socket(.subscriber)
        try sub.set(.subscribe, Envelope.subscriptionPrefix(jobID: jobID))
        try sub.connect("tcp://\(CoordinatorServer.host(of: settings.connect)):\(spec.broadcastPort)")
        let broadcasts = ProtocolSocket(sub, context: control.context)

        return try work(control: control, broadcasts: broadcasts, accept: accept, jobID: jobID, workload: workload, stop: stop,
                        backlog: backlog, shared: shared)
    }

    /// Maps the job's parameter segment and offers a gradient segment, when the job has one and
    /// it can be mapped from here (same host); nil when the sockets carry everything.
    private func offerSharedMemory(_ spec: WorkerJobSpec, identity: WorkerIdentity, jobID: JobID, parameterCount: Int,
                                   control: ProtocolSocket) throws -> SharedExchange? {
        guard settings.sharedMemory, let path = spec.sharedParameters, let slash = path.lastIndex(of: "/") else { return nil }
        let parameters: SharedParameters
        let gradients: SharedGradients
        do {
            parameters = try SharedParameters.open(path: path, jobID: jobID, parameterCount: parameterCount)
            gradients = try SharedGradients.create(directory: String(path[..<slash]), jobID: jobID, worker: identity,
                                                   processID: settings.processID, parameterCount: parameterCount,
                                                   slots: Self.sharedSlots(parameterCount))
        } catch {
            logger.info("not using shared memory (the coordinator may be on another host): \(error)")
            return nil
        }
        try control.send(Envelope(jobID: jobID, message: .sharedMemoryOffer(SharedMemoryOffer(
            slotCount: UInt32(gradients.slotCount), parameterCount: UInt64(parameterCount), path: gradients.path))))
        return SharedExchange(parameters: parameters, gradients: gradients)
    }

    /// Gradient slots per worker: results a worker can have in flight before it falls back to
    /// frames. Sync steps usually need one per worker; the slots are allocated in RAM up front, so
    /// models over 16 MiB get 2.
    static func sharedSlots(_ parameterCount: Int) -> Int { parameterCount * 4 <= 16 << 20 ? 4 : 2 }

    /// The work loop; `backlog` holds control messages that arrived while the dataset downloaded.
    private func work(control: ProtocolSocket, broadcasts: ProtocolSocket, accept: Accept, jobID: JobID,
                      workload: MicroShardWorkload, stop: StopFlag, backlog: [Message], shared: SharedExchange?) throws -> SessionOutcome {
        let interval = Double(accept.heartbeatIntervalMilliseconds) / 1000
        let timeout = max(Double(accept.heartbeatTimeoutMilliseconds) / 1000, settings.giveUpAfter)
        /// The newest parameters: their version, and the values (nil: in the shared segment, read in place).
        var parameters: (version: UInt64, values: [Float]?)?
        /// Assignments in the order received (a worker answers them in that order).
        var pending: [WorkAssignment] = []
        var lastHeard = now
        var lastSent = -Double.infinity
        var sequence: UInt64 = 0
        let poller = Poller()
        try poller.add(control.socket)
        try poller.add(broadcasts.socket)

        func send(_ message: Message) throws { try control.send(Envelope(jobID: jobID, message: message)) }

        func take(_ broadcast: ParameterBroadcast) {
            if broadcast.version >= (parameters?.version ?? 0) {
                parameters = (broadcast.version, broadcast.parameters.toArray())
            }
        }

        func takeBroadcasts() throws {
            while let received = try broadcasts.receive(dontWait: true) {
                if case .message(let envelope, _) = received, case .parameterBroadcast(let b) = envelope.message { take(b) }
            }
        }

        /// Since when the work waits for the broadcast of the version after ours (nil: not waiting).
        var awaitingBroadcastSince: Double?
        let grace = Self.broadcastGrace(parameterCount: Int(accept.parameterCount))

        func requestCatchUp() throws {
            catchUpRequests += 1
            try send(.catchUpRequest(CatchUpRequest(haveVersion: parameters?.version ?? 0)))
        }

        /// Makes sure `version` arrives. It is published just before the work that needs it, and a
        /// large broadcast is often still on the wire when the small assignment overtakes it, so
        /// for the next version the worker waits up to ``broadcastGrace(parameterCount:)`` before
        /// asking on the control channel (asking at once would have the coordinator send the whole
        /// model a second time). With no parameters yet, or a version missed entirely, it asks now.
        func catchUp(to version: UInt64) throws {
            if (parameters?.version ?? 0) < version, shared?.parameters.holds(version: version) == true {
                parameters = (version, nil)
                sharedParameterReads += 1
            }
            if (parameters?.version ?? 0) < version { try takeBroadcasts() }
            guard let have = parameters?.version, have < version else {
                if parameters == nil { try requestCatchUp() }
                return
            }
            // An attached worker gets no broadcasts when every worker reads shared memory.
            if version > have + 1 || shared?.gradients.isAttached == true {
                try requestCatchUp()
            } else if awaitingBroadcastSince == nil {
                awaitingBroadcastSince = now
            }
        }

        /// Asks for the parameters once the grace period for an awaited broadcast has passed
        /// (again every grace period while it stays missing).
        func checkAwaitedBroadcast() throws {
            guard let since = awaitingBroadcastSince else { return }
            let needed = pending.map(\.parameterVersion).max() ?? 0
            guard (parameters?.version ?? 0) < needed else {
                awaitingBroadcastSince = nil
                return
            }
            if now - since >= grace {
                try requestCatchUp()
                awaitingBroadcastSince = now
            }
        }

        /// Computes queued assignments whose parameters are here. Non-finite values in the
        /// computation (diverged parameters) are reported to the coordinator, which fails the run;
        /// the worker then waits for its shutdown.
        var computing: UInt64 = 0
        func runPending() throws {
            do {
                try computePending()
            } catch let error as GradientCoreError {
                guard case .nonFinite = error else { throw error }
                let step = computing
                pending.removeAll()
                logger.error("step \(step): \(error); reporting it to the coordinator")
                try send(.error(ErrorReport(code: .nonFiniteValues, step: step, text: "\(error)")))
            }
        }

        func computePending() throws {
            while let assignment = pending.first, let current = parameters {
                if current.version < assignment.parameterVersion {
                    return  // the broadcast is on its way; a catch-up was requested
                }
                pending.removeFirst()
                computing = assignment.step
                switch assignment.mode {
                case .async:
                    // Newer parameters than assigned only make the gradient fresher.
                    if try !sendGradients(assignment, version: current.version, values: current.values) { return try lostShared(assignment) }
                case .sync:
                    guard current.version == assignment.parameterVersion else { continue }  // superseded
                    if try !sendGradients(assignment, version: current.version, values: current.values) { return try lostShared(assignment) }
                case .localSGD:
                    guard current.version == assignment.parameterVersion else { continue }  // the round is over
                    guard let values = current.values ?? shared?.parameters.read(version: current.version) else {
                        return try lostShared(assignment)
                    }
                    let round = try workload.localRound(assignment, parameters: values)
                    try send(.localSGDResult(LocalSGDResult(
                        step: assignment.step, baseVersion: assignment.parameterVersion, localSteps: assignment.localSteps,
                        exampleCount: UInt64(round.examples), lossSum: round.lossSum,
                        parameters: FloatPayload(round.parameters))))
                    resultsSent += 1
                }
            }
        }

        /// The shared segment no longer holds the version the work needs (overwritten meanwhile):
        /// put the work back and ask for the parameters on the control channel.
        func lostShared(_ assignment: WorkAssignment) throws {
            pending.insert(assignment, at: 0)
            parameters = nil
            try requestCatchUp()
        }

        /// Computes and sends an assignment's gradient sums against `version` (`values`, or the
        /// shared segment in place when nil). Sums go straight into shared gradient slots when the
        /// coordinator attached them. Returns false, having sent nothing, when the shared
        /// parameters were overwritten during the computation.
        func sendGradients(_ assignment: WorkAssignment, version: UInt64, values: [Float]?) throws -> Bool {
            defer {
                // Between steps: read the rows the next assignment most likely covers, unless
                // more work is already queued.
                if pending.isEmpty { workload.prefetcher?.prefetch(after: assignment) }
            }
            var slots: [Range<Int>: Int] = [:]
            func output(_ subtree: Range<Int>) -> UnsafeMutableBufferPointer<Float>? {
                guard let (slot, memory) = shared?.gradients.reserve() else { return nil }
                slots[subtree] = slot
                return memory
            }
            let computed: [SubtreeSum]?
            do {
                if let values {
                    computed = try values.withUnsafeBufferPointer { try workload.compute(assignment, parameters: $0, output: output) }
                } else {
                    computed = try shared?.parameters.withVersion(version) { try workload.compute(assignment, parameters: $0, output: output) }
                }
            } catch {
                for slot in slots.values { shared?.gradients.cancel(slot) }
                throw error
            }
            guard let sums = computed else {
                for slot in slots.values { shared?.gradients.cancel(slot) }
                return false
            }
            for sum in sums {
                var result = GradientResult(
                    step: assignment.step, parameterVersion: version,
                    exampleCount: UInt64(sum.count), lossSum: sum.lossSum, microShards: sum.leaves,
                    microShardsPerBatch: Int(assignment.microShardsPerBatch), gradientSum: sum.payload)
                if let slot = slots[sum.leaves], !sum.payload.isCarried {
                    shared?.gradients.publish(slot, step: assignment.step, parameterVersion: version, microShards: sum.leaves)
                    result.sharedSlot = slot
                    sharedResults += 1
                } else if let slot = shared?.gradients.write(sum.payload, step: assignment.step, parameterVersion: version,
                                                             microShards: sum.leaves) {
                    result.gradientSum = .notCarried(count: sum.payload.count)
                    result.sharedSlot = slot
                    sharedResults += 1
                }
                try send(.gradientResult(result))
                resultsSent += 1
            }
            // Slots reserved for sums that came back as arrays (none today) go back.
            for (leaves, slot) in slots where !sums.contains(where: { $0.leaves == leaves && !$0.payload.isCarried }) {
                shared?.gradients.cancel(slot)
            }
            return true
        }

        /// Acts on one control message; returns an outcome when the session ends.
        func handle(_ message: Message) throws -> SessionOutcome? {
            switch message {
            case .parameterBroadcast(let b): take(b)
            case .workAssignment(let a):
                pending.append(a)
                try catchUp(to: a.parameterVersion)
            case .resultRejected(let rejected):
                logger.debug("result for step \(rejected.step) rejected (\(rejected.reason)); current version \(rejected.currentVersion)")
                try catchUp(to: rejected.currentVersion)
            case .shutdown(let s):
                if s.reason == .removed { return .rejoin(s.text) }
                return .exit(.shutdown(s.reason, s.text))
            case .error(let report) where report.code == .notRegistered:
                return .rejoin(report.text)
            case .refuse(let refuse):
                return .exit(.refused("\(refuse.reason): \(refuse.text)"))
            default: break
            }
            return nil
        }

        for message in backlog {
            if let outcome = try handle(message) { return outcome }
        }
        try runPending()

        while true {
            if stop.isRequested {
                try? send(.shutdown(Shutdown(reason: .workerExiting, text: "worker stopped")))
                return .exit(.stopped)
            }
            if now - lastHeard > timeout {
                return .exit(.coordinatorLost("no message from the coordinator for \(Int(timeout))s"))
            }
            if now - lastSent >= interval {
                sequence += 1
                try send(.heartbeat(Heartbeat(sequence: sequence, lastParameterVersion: parameters?.version ?? 0)))
                lastSent = now
            }
            _ = try poller.poll(timeout: .milliseconds(Int64(max(10, min(interval * 1000, 100)))))
            try takeBroadcasts()
            while let received = try control.receive(dontWait: true) {
                guard case .message(let envelope, _) = received else {
                    if case .invalid(let error, _, _) = received { logger.warning("dropped an invalid message: \(error)") }
                    continue
                }
                lastHeard = now
                if let outcome = try handle(envelope.message) { return outcome }
            }
            try checkAwaitedBroadcast()
            try runPending()
        }
    }
}

/// A worker's two shared-memory segments: the coordinator's parameters and its own gradient slots.
struct SharedExchange {
    let parameters: SharedParameters
    let gradients: SharedGradients
}

extension WorkerClient {
    /// How long a worker waits for the next version's broadcast before asking for it on the
    /// control channel: 0.25 s, or the time the parameters take at 100 MB/s if longer.
    static func broadcastGrace(parameterCount: Int) -> Double {
        max(0.25, Double(parameterCount) * 4 / 100e6)
    }

    /// Fetches the job's dataset from the coordinator in 4 MiB chunks (a few in flight), checks
    /// its digest and installs it in `store`. Returns an exit when the session must end instead.
    func download(_ digest: ContentDigest, into store: DatasetStore, control: ProtocolSocket, jobID: JobID,
                  stop: StopFlag, backlog: inout [Message]) throws -> WorkerExit? {
        let chunk: UInt64 = 4 << 20
        let window = 4
        logger.info("dataset \(digest.description.prefix(12)) is not in the local store; downloading it from the coordinator")
        func request(_ offset: UInt64) throws {
            try control.send(Envelope(jobID: jobID, message: .dataChunkRequest(
                DataChunkRequest(datasetDigest: digest, offset: offset, length: UInt32(chunk)))))
        }
        try request(0)
        var receiver: DatasetArchiveReceiver?
        var nextOffset = chunk
        var lastHeard = now
        var lastHeartbeat = now
        while receiver?.isComplete != true {
            if stop.isRequested { return .stopped }
            if now - lastHeard > settings.giveUpAfter {
                return .coordinatorLost("no dataset chunk from the coordinator for \(Int(settings.giveUpAfter))s")
            }
            if now - lastHeartbeat > 0.5 {
                try control.send(Envelope(jobID: jobID, message: .heartbeat(Heartbeat(sequence: 0, lastParameterVersion: 0))))
                lastHeartbeat = now
            }
            guard let received = try control.receive(timeoutMilliseconds: 100),
                  case .message(let envelope, _) = received else { continue }
            lastHeard = now
            switch envelope.message {
            case .dataChunk(let piece) where piece.datasetDigest == digest:
                if receiver == nil {
                    receiver = try DatasetArchiveReceiver(store: store, digest: digest.description, totalBytes: piece.totalBytes)
                    // Fill the window now that the size is known.
                    while nextOffset < piece.totalBytes && nextOffset < chunk * UInt64(window) {
                        try request(nextOffset)
                        nextOffset += chunk
                    }
                }
                try receiver?.write(offset: piece.offset, bytes: piece.bytes)
                if let total = receiver?.totalBytes, nextOffset < total {
                    try request(nextOffset)
                    nextOffset += chunk
                }
            case .error(let report):
                return .coordinatorLost("the coordinator cannot send the dataset: \(report.text)")
            case .shutdown(let s):
                return .shutdown(s.reason, s.text)
            default:
                backlog.append(envelope.message)  // parameters, assignments: handled once the data is here
            }
        }
        _ = try receiver?.install()
        logger.info("dataset \(digest.description.prefix(12)) downloaded and verified")
        return nil
    }
}

extension ProtocolSocket {
    /// Waits up to `timeoutMilliseconds` for one message.
    func receive(timeoutMilliseconds: Int) throws -> Received? {
        let poller = Poller()
        try poller.add(socket)
        guard !(try poller.poll(timeout: .milliseconds(Int64(timeoutMilliseconds)))).isEmpty else { return nil }
        return try receive(dontWait: true)
    }
}
