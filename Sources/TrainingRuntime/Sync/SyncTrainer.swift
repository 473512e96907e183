import GradientCore
import TrainingProtocol

/// The synchronous-training coordinator as a state machine: membership, work assignment,
/// aggregation along the micro-shard tree and the optimizer step.
///
/// Driven by ``start(now:)``, ``handle(_:from:now:)`` and ``tick(now:)``; it answers with
/// ``Command``s for the socket loop to carry out. No sockets, no clocks, no threads: tests drive
/// it with made-up times and messages.
public struct SyncTrainer {
    /// What the socket loop must do.
    public enum Command {
        /// Send to one worker over the control socket.
        case send(Message, to: [UInt8])
        /// Publish to every worker (parameter broadcasts).
        case publish(Message)
        /// A step finished: its mean loss, example count and the new parameter version.
        case stepCompleted(StepReport)
        /// Membership changed (log it, record it on the run).
        case membership(Membership.Event)
        /// Not enough workers to go on; said at most once per heartbeat interval.
        case waiting(have: Int, need: Int)
        /// A message was dropped (invalid, unexpected or stale); for the log.
        case dropped(String)
        /// Send bytes of the job's dataset to a worker that does not have it.
        case serveData(DataChunkRequest, to: [UInt8])
        /// All steps are done.
        case finished
    }

    /// A completed step, for progress, metrics and evaluation.
    public struct StepReport: Sendable {
        /// Steps completed so far (1-based count).
        public let step: Int
        public let epoch: Int
        /// True when this step ended an epoch.
        public let endsEpoch: Bool
        public let meanLoss: Double
        public let examples: Int
        public let learningRate: Float
        public let parameterVersion: UInt64
        public let activeWorkers: Int
    }

    /// What the trainer needs to know about the job.
    public struct Setup: Sendable {
        public var jobID: JobID
        public var model: Model
        public var schedule: BatchSchedule
        public var epochs: Int
        public var optimizer: GradientCore.OptimizerConfig
        public var learningRate: LearningRateSchedule
        public var heartbeatInterval: Double
        public var heartbeatTimeout: Double
        public var minWorkers: Int
        public var datasetDigest: ContentDigest
        /// Sent to every accepted worker: everything it needs to compute gradients.
        public var jobConfiguration: String
        public var configDigest: ContentDigest

        public init(jobID: JobID, model: Model, schedule: BatchSchedule, epochs: Int,
                    optimizer: GradientCore.OptimizerConfig, learningRate: LearningRateSchedule,
                    heartbeatInterval: Double, heartbeatTimeout: Double, minWorkers: Int,
                    datasetDigest: ContentDigest, jobConfiguration: String, configDigest: ContentDigest) {
            self.jobID = jobID
            self.model = model
            self.schedule = schedule
            self.epochs = epochs
            self.optimizer = optimizer
            self.learningRate = learningRate
            self.heartbeatInterval = heartbeatInterval
            self.heartbeatTimeout = heartbeatTimeout
            self.minWorkers = minWorkers
            self.datasetDigest = datasetDigest
            self.jobConfiguration = jobConfiguration
            self.configDigest = configDigest
        }
    }

    public let setup: Setup
    public private(set) var membership: Membership
    public private(set) var parameters: [Float]
    public private(set) var optimizer: Optimizer
    /// Steps completed.
    public private(set) var completedSteps: Int
    /// Incremented by every optimizer step; workers compute against a version.
    public private(set) var parameterVersion: UInt64
    public var totalSteps: Int { setup.epochs * setup.schedule.stepsPerEpoch }
    public var isFinished: Bool { completedSteps >= totalSteps }
    /// The state a checkpoint saves and a resumed trainer starts from.
    public var snapshot: TrainingSnapshot {
        TrainingSnapshot(parameters: parameters, optimizer: optimizer.state, completedSteps: completedSteps)
    }

    private var current: StepInProgress?
    private var lastWaitingNotice = 0.0
    private var lastHeartbeatSent = -Double.infinity
    private var heartbeatSequence: UInt64 = 0

    /// The running step: its aggregator, who computes what, and leaves nobody has yet.
    struct StepInProgress {
        var aggregator: SyncStepAggregator
        var planner: WorkPlanner
        var unassigned: [Int]
        let epoch: Int
        let batch: Int
    }

    /// A trainer starting from `parameters` (initial or restored) after `completedSteps` steps.
    public init(setup: Setup, parameters: [Float], optimizer: Optimizer, completedSteps: Int = 0) {
        self.setup = setup
        self.membership = Membership(heartbeatTimeout: setup.heartbeatTimeout)
        self.parameters = parameters
        self.optimizer = optimizer
        self.completedSteps = completedSteps
        self.parameterVersion = UInt64(completedSteps) + 1
    }

    // MARK: - Events

    /// Begins: nothing to do until workers join (or everything, for an already finished job).
    public mutating func start(now: Double) -> [Command] {
        isFinished ? [.finished] : tick(now: now)
    }

    /// Handles one valid message from the worker whose routing id is `route`.
    public mutating func handle(_ message: Message, from route: [UInt8], now: Double) -> [Command] {
        if case .register(let register) = message { return admit(register, route: route, now: now) }
        guard let member = membership.member(route: route) else {
            return [.dropped("\(message.kind) from an unregistered peer"),
                    .send(.error(ErrorReport(code: .notRegistered, step: UInt64(completedSteps),
                                             text: "register before sending \(message.kind)")), to: route)]
        }
        membership.heard(from: member.identity, now: now)
        switch message {
        case .heartbeat:
            return []
        case .catchUpRequest:
            return [.send(.parameterBroadcast(broadcast()), to: route)]
        case .dataChunkRequest(let request):
            guard request.datasetDigest == setup.datasetDigest else {
                return [.send(.error(ErrorReport(code: .unknownDataset, step: UInt64(completedSteps),
                                                 text: "this job trains on \(setup.datasetDigest), not \(request.datasetDigest)")), to: route)]
            }
            return [.serveData(request, to: route)]
        case .gradientResult(let result):
            return receive(result, from: member, now: now)
        case .shutdown:
            var commands: [Command] = []
            if let event = membership.remove(member.identity, reason: "worker shut down") {
                commands.append(.membership(event))
            }
            return commands + reassignWork(of: member.identity)
        case .error(let report):
            return [.dropped("worker \(member.index) reported error \(report.code): \(report.text)")]
        default:
            return [.dropped("unexpected \(message.kind) from worker \(member.index)")]
        }
    }

    /// Periodic work: expire silent workers, send heartbeats, start a step when enough workers
    /// are present.
    public mutating func tick(now: Double) -> [Command] {
        var commands: [Command] = []
        for event in membership.expire(now: now) {
            commands.append(.membership(event))
            if case .left(let who, _, _) = event { commands += reassignWork(of: who) }
        }
        if now - lastHeartbeatSent >= setup.heartbeatInterval {
            lastHeartbeatSent = now
            heartbeatSequence += 1
            for member in membership.members {
                commands.append(.send(.heartbeat(Heartbeat(sequence: heartbeatSequence,
                                                           lastParameterVersion: parameterVersion)), to: member.route))
            }
        }
        if isFinished { return commands }
        if membership.members.count < setup.minWorkers {
            if now - lastWaitingNotice >= max(setup.heartbeatInterval, 1) {
                lastWaitingNotice = now
                commands.append(.waiting(have: membership.members.count, need: setup.minWorkers))
            }
            return commands
        }
        if current == nil {
            commands += beginStep()
        } else if let step = current, !step.unassigned.isEmpty {
            commands += assign(step.unassigned, among: membership.order)
        }
        return commands
    }

    // MARK: - Internals

    private mutating func admit(_ register: Register, route: [UInt8], now: Double) -> [Command] {
        if isFinished {
            return [.send(.refuse(Refuse(worker: register.worker, reason: .jobFinished, text: "the job has finished")),
                          to: route)]
        }
        switch membership.join(register.worker, route: route, hostName: register.hostName,
                               processID: register.processID, now: now) {
        case .failure:
            return [.send(.refuse(Refuse(worker: register.worker, reason: .duplicateIdentity,
                                         text: "identity \(register.worker) was already used in this job")), to: route)]
        case .success(let member):
            let accept = Accept(
                worker: register.worker, workerIndex: UInt32(member.index),
                heartbeatIntervalMilliseconds: UInt32(setup.heartbeatInterval * 1000),
                heartbeatTimeoutMilliseconds: UInt32(setup.heartbeatTimeout * 1000),
                parameterCount: UInt64(parameters.count), parameterVersion: parameterVersion,
                datasetDigest: setup.datasetDigest, configDigest: setup.configDigest,
                jobConfiguration: setup.jobConfiguration)
            var commands: [Command] = [.send(.accept(accept), to: route), .membership(.joined(register.worker, index: member.index)),
                                       .send(.parameterBroadcast(broadcast()), to: route)]
            commands += tick(now: now)
            return commands
        }
    }

    private func broadcast() -> ParameterBroadcast {
        ParameterBroadcast(version: parameterVersion, step: UInt64(completedSteps), parameters: FloatPayload(parameters))
    }

    private mutating func beginStep() -> [Command] {
        let (epoch, batch) = setup.schedule.position(ofStep: completedSteps)
        let leaves = setup.schedule.leafCount(ofBatch: batch)
        guard let tree = MicroShardTree(leafCount: leaves) else { preconditionFailure("leaf count out of range") }
        current = StepInProgress(aggregator: SyncStepAggregator(tree: tree, parameterCount: parameters.count),
                                 planner: WorkPlanner(tree: tree), unassigned: Array(0..<leaves), epoch: epoch, batch: batch)
        return [.publish(.parameterBroadcast(broadcast()))] + assign(Array(0..<leaves), among: membership.order)
    }

    private mutating func assign(_ leaves: [Int], among workers: [WorkerIdentity]) -> [Command] {
        guard var step = current, !workers.isEmpty else { return [] }
        let plan = step.planner.distribute(leaves, among: workers)
        step.unassigned.removeAll { leaf in plan.values.contains { $0.contains(leaf) } }
        current = step
        var commands: [Command] = []
        for worker in workers {
            guard let mine = plan[worker], let member = membership.member(worker) else { continue }
            let shards = mine.map { leaf -> MicroShard in
                let rows = setup.schedule.leafRows(batch: step.batch, leaf: leaf)
                return MicroShard(index: UInt32(leaf), rowStart: UInt64(rows.lowerBound), rowCount: UInt32(rows.count))
            }
            let assignment = WorkAssignment(
                step: UInt64(completedSteps), parameterVersion: parameterVersion, epoch: UInt32(step.epoch),
                microShardsPerBatch: UInt32(step.aggregator.tree.leafCount), mode: .sync, localSteps: 1,
                datasetDigest: setup.datasetDigest, microShards: shards)
            commands.append(.send(.workAssignment(assignment), to: member.route))
        }
        return commands
    }

    private mutating func reassignWork(of lost: WorkerIdentity) -> [Command] {
        guard var step = current else { return [] }
        let survivors = membership.order
        if survivors.isEmpty {
            step.unassigned = step.aggregator.missingLeaves
            step.planner = WorkPlanner(tree: step.aggregator.tree)
            current = step
            return []
        }
        let orphaned = step.planner.outstanding[lost] ?? []
        current = step
        guard !orphaned.isEmpty else { return [] }
        current?.planner.forget(lost)
        return assign(orphaned, among: survivors)
    }

    private mutating func receive(_ result: TrainingProtocol.GradientResult, from member: Membership.Member, now: Double) -> [Command] {
        guard var step = current else { return [.dropped("gradient from worker \(member.index) with no step running")] }
        guard result.step == UInt64(completedSteps), result.parameterVersion == parameterVersion else {
            return [.dropped("stale gradient from worker \(member.index): step \(result.step) v\(result.parameterVersion), now step \(completedSteps) v\(parameterVersion)")]
        }
        guard result.microShardsPerBatch == step.aggregator.tree.leafCount else {
            return [.dropped("gradient from worker \(member.index) has \(result.microShardsPerBatch) micro-shards, expected \(step.aggregator.tree.leafCount)")]
        }
        let sum = SubtreeSum(leaves: result.microShards, gradient: result.gradientSum.toArray(),
                             lossSum: result.lossSum, count: Int(result.exampleCount))
        let outcome = step.aggregator.accept(sum)
        step.planner.completed(result.microShards, by: member.identity)
        current = step
        guard outcome == .accepted else {
            return outcome == .overlapsReceived ? [] : [.dropped("gradient from worker \(member.index): \(outcome)")]
        }
        guard step.aggregator.isComplete, let total = step.aggregator.reduce() else { return [] }
        return finishStep(total, epoch: step.epoch, batch: step.batch, now: now)
    }

    private mutating func finishStep(_ total: SubtreeSum, epoch: Int, batch: Int, now: Double) -> [Command] {
        var gradient = total.gradient
        let scale = 1 / Float(max(total.count, 1))
        for i in gradient.indices { gradient[i] *= scale }
        let rate = setup.learningRate.rate(step: completedSteps, base: setup.optimizer.learningRate)
        do {
            _ = try optimizer.step(parameters: &parameters, gradient: gradient, learningRate: rate)
        } catch {
            preconditionFailure("optimizer step failed on validated shapes: \(error)")
        }
        completedSteps += 1
        parameterVersion += 1
        current = nil
        let report = StepReport(
            step: completedSteps, epoch: epoch, endsEpoch: batch == setup.schedule.stepsPerEpoch - 1,
            meanLoss: total.lossSum / Double(max(total.count, 1)), examples: total.count, learningRate: rate,
            parameterVersion: parameterVersion, activeWorkers: membership.members.count)
        if isFinished { return [.stepCompleted(report), .finished] }
        return [.stepCompleted(report)] + tick(now: now)
    }
}
