import GradientCore
import TrainingProtocol

/// A coordinator state machine for one training mode (``SyncTrainer``, ``AsyncTrainer``,
/// ``LocalSGDTrainer``): driven by events and an explicit clock, answering with
/// ``TrainerCommand``s, so it is tested without sockets. ``CoordinatorServer`` runs any of them.
package protocol CoordinatorTrainer {
    var membership: Membership { get }
    /// The current parameters in the model's flat layout.
    var parameters: [Float] { get }
    /// Optimizer steps (global batches) completed.
    var completedSteps: Int { get }
    var isFinished: Bool { get }
    /// The state a checkpoint saves and a resumed trainer starts from.
    var snapshot: TrainingSnapshot { get }
    /// Begins: nothing to do until workers join (or everything, for an already finished job).
    mutating func start(now: Double) -> [TrainerCommand]
    /// Handles one valid message from the worker whose routing id is `route`.
    mutating func handle(_ message: Message, from route: [UInt8], now: Double) -> [TrainerCommand]
    /// Periodic work: expire silent workers, send heartbeats, hand out work.
    mutating func tick(now: Double) -> [TrainerCommand]
    /// A trainer starting from `parameters` (initial or restored) after `completedSteps` steps.
    init(setup: TrainerSetup, parameters: [Float], optimizer: Optimizer, completedSteps: Int)
}

extension CoordinatorTrainer {
    package mutating func start(now: Double) -> [TrainerCommand] {
        isFinished ? [.finished] : tick(now: now)
    }
}

/// A trainer built around a ``TrainerCore``: the shared state is read through the core, written
/// once here instead of forwarded by every mode.
protocol TrainerCoreOwner: CoordinatorTrainer {
    var core: TrainerCore { get }
}

extension TrainerCoreOwner {
    package var setup: TrainerSetup { core.setup }
    package var membership: Membership { core.membership }
    package var parameters: [Float] { core.parameters }
    package var optimizer: Optimizer { core.optimizer }
    package var completedSteps: Int { core.completedSteps }
    /// Incremented by every update of the parameters; workers compute against a version.
    package var parameterVersion: UInt64 { core.parameterVersion }
    package var totalSteps: Int { core.setup.totalSteps }
    package var isFinished: Bool { core.isFinished }
    package var snapshot: TrainingSnapshot { core.snapshot }
}

/// What every mode shares: membership and heartbeats, admission, catch-up, data serving, the
/// parameters and their version. A plain value owned by each trainer.
struct TrainerCore {
    let setup: TrainerSetup
    var membership: Membership
    var parameters: [Float]
    var optimizer: Optimizer
    var completedSteps: Int
    /// Incremented by every update of the parameters; workers compute against a version.
    var parameterVersion: UInt64
    private var lastWaitingNotice = 0.0
    private var lastHeartbeatSent = -Double.infinity
    private var heartbeatSequence: UInt64 = 0

    init(setup: TrainerSetup, parameters: [Float], optimizer: Optimizer, completedSteps: Int) {
        self.setup = setup
        membership = Membership(heartbeatTimeout: setup.heartbeatTimeout)
        self.parameters = parameters
        self.optimizer = optimizer
        self.completedSteps = completedSteps
        parameterVersion = UInt64(completedSteps) + 1
    }

    var isFinished: Bool { completedSteps >= setup.totalSteps }

    var snapshot: TrainingSnapshot {
        TrainingSnapshot(parameters: parameters, optimizer: optimizer.state, completedSteps: completedSteps)
    }

    func broadcast() -> ParameterBroadcast {
        ParameterBroadcast(
            version: parameterVersion, step: UInt64(completedSteps), parameters: FloatPayload(parameters))
    }

    /// Admits a registering worker (accept, join event, current parameters) or refuses it.
    /// `admitted` tells the trainer to hand out work.
    mutating func admit(_ register: Register, route: [UInt8], now: Double) -> (
        commands: [TrainerCommand], admitted: Bool
    ) {
        if isFinished {
            return (
                [
                    .send(
                        .refuse(Refuse(worker: register.worker, reason: .jobFinished, text: "the job has finished")),
                        to: route)
                ], false
            )
        }
        switch membership.join(
            register.worker, route: route, hostName: register.hostName,
            processID: register.processID, now: now)
        {
        case .failure:
            return (
                [
                    .send(
                        .refuse(
                            Refuse(
                                worker: register.worker, reason: .duplicateIdentity,
                                text: "identity \(register.worker) was already used in this job")), to: route)
                ], false
            )
        case .success(let member):
            let accept = Accept(
                worker: register.worker, workerIndex: UInt32(member.index),
                heartbeatIntervalMilliseconds: UInt32(setup.heartbeatInterval * 1000),
                heartbeatTimeoutMilliseconds: UInt32(setup.heartbeatTimeout * 1000),
                parameterCount: UInt64(parameters.count), parameterVersion: parameterVersion,
                datasetDigest: setup.datasetDigest, configDigest: setup.configDigest,
                jobConfiguration: setup.jobConfiguration)
            return (
                [
                    .send(.accept(accept), to: route), .membership(.joined(register.worker, index: member.index)),
                    .send(.parameterBroadcast(broadcast()), to: route),
                ], true
            )
        }
    }

    /// Sorts an incoming message: registrations, strangers, goodbyes and the common kinds are
    /// dealt with here; results are left to the mode.
    mutating func route(_ message: Message, from route: [UInt8], now: Double) -> Routed {
        if case .register(let register) = message {
            let (commands, admitted) = admit(register, route: route, now: now)
            return admitted ? .admitted(commands) : .answered(commands)
        }
        guard let member = membership.member(route: route) else {
            return .answered([
                .dropped("\(message.kind) from an unregistered peer"),
                .send(
                    .error(
                        ErrorReport(
                            code: .notRegistered, step: UInt64(completedSteps),
                            text: "register before sending \(message.kind)")), to: route),
            ])
        }
        membership.heard(from: member.identity, now: now)
        switch message {
        case .gradientResult, .localSGDResult:
            return .result(message, from: member)
        case .shutdown:
            let event = membership.remove(member.identity, reason: "worker shut down")
            return .left(member.identity, event.map { [.membership($0)] } ?? [])
        default:
            return .answered(answerCommon(message, from: member))
        }
    }

    /// Heartbeats, catch-up, data requests, errors and unexpected kinds: answered the same way in
    /// every mode.
    func answerCommon(_ message: Message, from member: Membership.Member) -> [TrainerCommand] {
        switch message {
        case .heartbeat:
            return []
        case .catchUpRequest:
            return [.send(.parameterBroadcast(broadcast()), to: member.route)]
        case .dataChunkRequest(let request):
            guard request.datasetDigest == setup.datasetDigest else {
                return [
                    .send(
                        .error(
                            ErrorReport(
                                code: .unknownDataset, step: UInt64(completedSteps),
                                text: "this job trains on \(setup.datasetDigest), not \(request.datasetDigest)")),
                        to: member.route)
                ]
            }
            return [.serveData(request, to: member.route)]
        case .error(let report) where report.code == .nonFiniteValues:
            return [.failed("worker \(member.index) computed non-finite values at step \(report.step): \(report.text)")]
        case .error(let report):
            return [.dropped("worker \(member.index) reported error \(report.code): \(report.text)")]
        default:
            return [.dropped("unexpected \(message.kind) from worker \(member.index)")]
        }
    }

    /// Expires silent workers and sends heartbeats when due. Returns the commands and the workers
    /// that left (whose work the trainer must hand to others).
    mutating func housekeeping(now: Double) -> (commands: [TrainerCommand], left: [WorkerIdentity]) {
        var commands: [TrainerCommand] = []
        var left: [WorkerIdentity] = []
        for event in membership.expire(now: now) {
            commands.append(.membership(event))
            if case .left(let who, _, _) = event { left.append(who) }
        }
        if now - lastHeartbeatSent >= setup.heartbeatInterval {
            lastHeartbeatSent = now
            heartbeatSequence += 1
            for member in membership.members {
                commands.append(
                    .send(
                        .heartbeat(
                            Heartbeat(
                                sequence: heartbeatSequence,
                                lastParameterVersion: parameterVersion)), to: member.route))
            }
        }
        return (commands, left)
    }

    /// nil when enough workers are present; otherwise the waiting notice (at most once per
    /// heartbeat interval, and at least a second apart).
    mutating func shortOfWorkers(now: Double) -> [TrainerCommand]? {
        guard membership.members.count < setup.minWorkers else { return nil }
        guard now - lastWaitingNotice >= max(setup.heartbeatInterval, 1) else { return [] }
        lastWaitingNotice = now
        return [.waiting(have: membership.members.count, need: setup.minWorkers)]
    }

    /// Applies the optimizer to a gradient sum over `count` examples (divided by the count first)
    /// at the learning rate of the current step. Returns the rate used, or NaN when the optimizer
    /// refused the gradient (a non-finite value): the parameters are then left as they were, and
    /// the step's report carries the NaN so the observer can stop the run as failed.
    mutating func applyGradientSum(_ sum: [Float], count: Int) -> Float {
        let rate = setup.learningRate.rate(at: completedSteps)
        do {
            // The mean (sum × 1/count) is taken element by element inside the update.
            _ = try optimizer.step(
                parameters: &parameters, gradient: sum, learningRate: rate,
                gradientScale: 1 / Float(max(count, 1)), threads: setup.updateThreads)
        } catch {
            return .nan
        }
        return rate
    }
}

/// What ``TrainerCore/route(_:from:now:)`` made of a message.
enum Routed {
    /// Fully handled: send these.
    case answered([TrainerCommand])
    /// A worker joined: send these, then hand out work.
    case admitted([TrainerCommand])
    /// A member said goodbye: send these, then give its work to others.
    case left(WorkerIdentity, [TrainerCommand])
    /// A result for the mode to take.
    case result(Message, from: Membership.Member)
}
