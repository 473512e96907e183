import GradientCore
import TrainingProtocol

/// A worker's state machine for one registration, from the coordinator's `accept` until the
/// session ends: driven by ``WorkerEvent``s and an explicit clock (seconds, any origin), answering
/// with ``WorkerSessionCommand``s, so it is tested without sockets. ``WorkerClient`` runs it.
///
/// It follows the newest parameter version, answers assignments in the order they came, asks for
/// parameters it lacks (after a grace period when the broadcast is probably on its way), sends
/// heartbeats at the accepted interval, and ends on shutdown, refusal, removal or coordinator
/// silence. Commands must be carried out in order, a computation's answer fed back before any
/// other event.
package struct WorkerSession: Sendable {
    package let heartbeatInterval: Double
    /// Seconds of silence from the coordinator after which the worker gives up.
    package let coordinatorTimeout: Double
    /// How long to wait for the next version's broadcast before asking for it.
    package let broadcastGrace: Double
    /// The newest parameters (nil: none yet, or the in-place version was lost).
    package private(set) var parameters: WorkerParameters?
    /// Assignments in the order received (a worker answers them in that order).
    package private(set) var pending: [WorkAssignment] = []
    /// Results (gradient sums and local-SGD parameters) sent in this session.
    package private(set) var resultsSent = 0
    /// Results whose sum went through shared memory.
    package private(set) var sharedResults = 0
    /// Parameter versions read in place from shared memory.
    package private(set) var sharedParameterReads = 0
    package private(set) var catchUpRequests = 0
    private var lastHeard: Double
    private var lastHeartbeat = -Double.infinity
    private var heartbeatSequence: UInt64 = 0
    /// Since when the work waits for the broadcast of the version after ours (nil: not waiting).
    private var awaitingBroadcastSince: Double?
    /// The assignment being computed, and whether no work was queued behind it.
    private var computing: (assignment: WorkAssignment, lastQueued: Bool)?

    /// A session that begins at `now` with the coordinator's `accept`; `giveUpAfter` is the
    /// worker's own patience, the floor of the coordinator timeout.
    package init(accept: Accept, giveUpAfter: Double, now: Double) {
        heartbeatInterval = Double(accept.heartbeatIntervalMilliseconds) / 1000
        coordinatorTimeout = max(Double(accept.heartbeatTimeoutMilliseconds) / 1000, giveUpAfter)
        broadcastGrace = Self.broadcastGrace(parameterCount: Int(accept.parameterCount))
        lastHeard = now
    }

    /// How long a worker waits for the next version's broadcast before asking for it on the
    /// control channel: 0.25 s, or the time the parameters take at 100 MB/s if longer.
    package static func broadcastGrace(parameterCount: Int) -> Double {
        max(0.25, Double(parameterCount) * 4 / 100e6)
    }

    /// How long the loop may wait for messages: at most 100 ms and a heartbeat interval, at least 10 ms.
    package var pollMilliseconds: Int64 { Int64(max(10, min(heartbeatInterval * 1000, 100))) }

    /// True while a computation's answer is awaited.
    package var isComputing: Bool { computing != nil }

    package mutating func handle(_ event: WorkerEvent, now: Double) -> [WorkerSessionCommand] {
        switch event {
        case .control(let message):
            lastHeard = now
            return receive(message, now: now)
        case .broadcast(let broadcast):
            take(broadcast)
            return []
        case .parametersInPlace(let version):
            if (parameters?.version ?? 0) < version {
                parameters = WorkerParameters(version: version, values: nil)
                sharedParameterReads += 1
            }
            return []
        case .parametersSought(let version, let receivesBroadcasts):
            return decideCatchUp(to: version, receivesBroadcasts: receivesBroadcasts, now: now)
        case .gradientsComputed(let results):
            guard let (assignment, lastQueued) = computing else { return [] }
            computing = nil
            var commands = results.map { WorkerSessionCommand.send(.gradientResult($0)) }
            resultsSent += results.count
            sharedResults += results.count(where: { $0.sharedSlot != nil })
            if lastQueued { commands.append(.prefetch(after: assignment)) }
            return commands + computeNext()
        case .roundComputed(let round):
            guard let (assignment, _) = computing else { return [] }
            computing = nil
            resultsSent += 1
            return [
                .send(
                    .localSGDResult(
                        LocalSGDResult(
                            step: assignment.step, baseVersion: assignment.parameterVersion,
                            localSteps: assignment.localSteps,
                            exampleCount: UInt64(round.examples), lossSum: round.lossSum,
                            parameters: FloatPayload(round.parameters))))
            ] + computeNext()
        case .parametersLost:
            // The shared segment no longer holds the version the work needs (overwritten
            // meanwhile): put the work back and ask for the parameters on the control channel.
            guard let (assignment, lastQueued) = computing else { return [] }
            computing = nil
            var commands: [WorkerSessionCommand] =
                lastQueued && assignment.mode != .localSGD ? [.prefetch(after: assignment)] : []
            pending.insert(assignment, at: 0)
            parameters = nil
            commands.append(requestCatchUp())
            return commands
        case .computationFailed(let error):
            // Reported to the coordinator, which fails the run; the worker waits for its shutdown.
            guard let (assignment, lastQueued) = computing else { return [] }
            computing = nil
            var commands: [WorkerSessionCommand] =
                lastQueued && assignment.mode != .localSGD ? [.prefetch(after: assignment)] : []
            pending.removeAll()
            commands.append(.log(.error, "step \(assignment.step): \(error); reporting it to the coordinator"))
            commands.append(.send(.error(ErrorReport(code: .nonFiniteValues, step: assignment.step, text: "\(error)"))))
            return commands
        case .tick:
            if now - lastHeard > coordinatorTimeout {
                return [
                    .end(.exit(.coordinatorLost("no message from the coordinator for \(Int(coordinatorTimeout))s")))
                ]
            }
            guard now - lastHeartbeat >= heartbeatInterval else { return [] }
            heartbeatSequence += 1
            lastHeartbeat = now
            return [
                .send(
                    .heartbeat(Heartbeat(sequence: heartbeatSequence, lastParameterVersion: parameters?.version ?? 0)))
            ]
        case .inboxEmpty:
            var commands = checkAwaitedBroadcast(now: now)
            commands += computeNext()
            return commands
        case .stopRequested:
            return [.sayGoodbye(Shutdown(reason: .workerExiting, text: "worker stopped")), .end(.exit(.stopped))]
        }
    }

    /// Acts on one control message.
    private mutating func receive(_ message: Message, now: Double) -> [WorkerSessionCommand] {
        switch message {
        case .parameterBroadcast(let broadcast):
            take(broadcast)
        case .workAssignment(let assignment):
            pending.append(assignment)
            return catchUp(to: assignment.parameterVersion, now: now)
        case .resultRejected(let rejected):
            let why =
                "result for step \(rejected.step) rejected (\(rejected.reason)); current version \(rejected.currentVersion)"
            return [.log(.debug, why)] + catchUp(to: rejected.currentVersion, now: now)
        case .shutdown(let shutdown):
            if shutdown.reason == .removed { return [.end(.rejoin(shutdown.text))] }
            return [.end(.exit(.shutdown(shutdown.reason, shutdown.text)))]
        case .error(let report) where report.code == .notRegistered:
            return [.end(.rejoin(report.text))]
        case .refuse(let refuse):
            return [.end(.exit(.refused("\(refuse.reason): \(refuse.text)")))]
        default:
            break
        }
        return []
    }

    private mutating func take(_ broadcast: ParameterBroadcast) {
        if broadcast.version >= (parameters?.version ?? 0) {
            parameters = WorkerParameters(version: broadcast.version, values: broadcast.parameters.toArray())
        }
    }

    private mutating func requestCatchUp() -> WorkerSessionCommand {
        catchUpRequests += 1
        return .send(.catchUpRequest(CatchUpRequest(haveVersion: parameters?.version ?? 0)))
    }

    /// Makes sure `version` arrives: when it is not here, the loop first looks in the exchange and
    /// the queued broadcasts (``WorkerSessionCommand/findParameters(version:)``).
    private mutating func catchUp(to version: UInt64, now: Double) -> [WorkerSessionCommand] {
        if (parameters?.version ?? 0) < version { return [.findParameters(version: version)] }
        return decideCatchUp(to: version, receivesBroadcasts: true, now: now)
    }

    /// The version is published just before the work that needs it, and a large broadcast is
    /// often still on the wire when the small assignment overtakes it, so for the next version the
    /// worker waits up to ``broadcastGrace`` before asking on the control channel (asking at once
    /// would have the coordinator send the whole model a second time). With no parameters yet, a
    /// version missed entirely, or no broadcasts coming, it asks now.
    private mutating func decideCatchUp(to version: UInt64, receivesBroadcasts: Bool, now: Double)
        -> [WorkerSessionCommand]
    {
        guard let have = parameters?.version, have < version else {
            return parameters == nil ? [requestCatchUp()] : []
        }
        if version > have + 1 || !receivesBroadcasts {
            return [requestCatchUp()]
        }
        if awaitingBroadcastSince == nil { awaitingBroadcastSince = now }
        return []
    }

    /// Asks for the parameters once the grace period for an awaited broadcast has passed (again
    /// every grace period while it stays missing).
    private mutating func checkAwaitedBroadcast(now: Double) -> [WorkerSessionCommand] {
        guard let since = awaitingBroadcastSince else { return [] }
        let needed = pending.map(\.parameterVersion).max() ?? 0
        guard (parameters?.version ?? 0) < needed else {
            awaitingBroadcastSince = nil
            return []
        }
        guard now - since >= broadcastGrace else { return [] }
        awaitingBroadcastSince = now
        return [requestCatchUp()]
    }

    /// The next queued assignment whose parameters are here, as a computation; superseded sync
    /// assignments and finished local-SGD rounds are skipped.
    private mutating func computeNext() -> [WorkerSessionCommand] {
        guard computing == nil else { return [] }
        while let assignment = pending.first, let current = parameters {
            // Not here yet: the broadcast is on its way, or a catch-up was requested.
            if current.version < assignment.parameterVersion { return [] }
            pending.removeFirst()
            switch assignment.mode {
            case .async:
                // Newer parameters than assigned only make the gradient fresher.
                computing = (assignment, pending.isEmpty)
                return [.computeGradients(assignment, against: current)]
            case .sync:
                guard current.version == assignment.parameterVersion else { continue }  // superseded
                computing = (assignment, pending.isEmpty)
                return [.computeGradients(assignment, against: current)]
            case .localSGD:
                guard current.version == assignment.parameterVersion else { continue }  // the round is over
                computing = (assignment, pending.isEmpty)
                return [.computeRound(assignment, against: current)]
            }
        }
        return []
    }
}
