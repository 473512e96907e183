import GradientCore
import TrainingProtocol

/// The asynchronous-training coordinator as a state machine: every idle worker is given the next
/// global batch of the schedule against the current parameters, and each gradient is applied
/// the moment it arrives, unless it was computed more than `maxStaleness` versions ago.
///
/// A stale result is answered with `resultRejected(stale)` and its batch goes back to the front
/// of the queue, so every batch of the schedule is applied exactly once. The result depends on
/// the order gradients arrive in, so it is not reproducible bit for bit; use `sync` for that.
/// Driven like ``SyncTrainer``: no sockets, no clocks.
package struct AsyncTrainer: TrainerCoreOwner {
    var core: TrainerCore
    /// Global steps given back (by stale results or lost workers), handed out before new ones.
    private var returned: [Int] = []
    /// The next global step of the schedule not yet handed out.
    private var nextStep: Int
    private var inFlight: [WorkerIdentity: InFlight] = [:]
    /// Results rejected as stale so far.
    package private(set) var staleResults = 0

    /// A batch a worker is computing.
    struct InFlight {
        let step: Int
        let version: UInt64
    }

    /// A trainer starting from `parameters` after `completedSteps` applied batches.
    package init(setup: TrainerSetup, parameters: [Float], optimizer: Optimizer, completedSteps: Int = 0) {
        core = TrainerCore(setup: setup, parameters: parameters, optimizer: optimizer, completedSteps: completedSteps)
        nextStep = completedSteps
    }

    // MARK: - Events

    package mutating func handle(_ message: Message, from route: [UInt8], now: Double) -> [TrainerCommand] {
        switch core.route(message, from: route, now: now) {
        case .answered(let commands): return commands
        case .admitted(let commands): return commands + tick(now: now)
        case .left(let who, let commands):
            giveBack(who)
            return commands + tick(now: now)
        case .result(.gradientResult(let result), let member): return receive(result, from: member, now: now)
        case .result(let other, let member): return [.dropped("unexpected \(other.kind) from worker \(member.index)")]
        }
    }

    package mutating func tick(now: Double) -> [TrainerCommand] {
        let (commands, left) = core.housekeeping(now: now)
        for who in left { giveBack(who) }
        if isFinished { return commands }
        if let waiting = core.shortOfWorkers(now: now) { return commands + waiting }
        return commands + assignIdleWorkers()
    }

    // MARK: - Internals

    private mutating func giveBack(_ worker: WorkerIdentity) {
        if let flight = inFlight.removeValue(forKey: worker) { returned.append(flight.step) }
    }

    private mutating func takeStep() -> Int? {
        if let first = returned.indices.min(by: { returned[$0] < returned[$1] }) { return returned.remove(at: first) }
        guard nextStep < setup.totalSteps else { return nil }
        defer { nextStep += 1 }
        return nextStep
    }

    private mutating func assignIdleWorkers() -> [TrainerCommand] {
        var commands: [TrainerCommand] = []
        for member in membership.members where inFlight[member.identity] == nil {
            guard let step = takeStep() else { break }
            inFlight[member.identity] = InFlight(step: step, version: parameterVersion)
            let (epoch, batch) = setup.schedule.position(ofStep: step)
            let leaves = setup.schedule.leafCount(ofBatch: batch)
            let shards = (0..<leaves).map { leaf -> MicroShard in
                let rows = setup.schedule.leafRows(batch: batch, leaf: leaf)
                return MicroShard(index: UInt32(leaf), rowStart: UInt64(rows.lowerBound), rowCount: UInt32(rows.count))
            }
            let assignment = WorkAssignment(
                step: UInt64(step), parameterVersion: parameterVersion, epoch: UInt32(epoch),
                microShardsPerBatch: UInt32(leaves), mode: .async, localSteps: 1,
                datasetDigest: setup.datasetDigest, microShards: shards)
            commands.append(.send(.workAssignment(assignment), to: member.route))
        }
        return commands
    }

    private func rejection(_ result: TrainingProtocol.GradientResult, _ reason: RejectionReason) -> Message {
        .resultRejected(
            ResultRejected(
                step: result.step, parameterVersion: result.parameterVersion,
                currentVersion: parameterVersion, reason: reason))
    }

    private mutating func receive(
        _ result: TrainingProtocol.GradientResult, from member: Membership.Member,
        now: Double
    ) -> [TrainerCommand] {
        guard let flight = inFlight[member.identity], UInt64(flight.step) == result.step else {
            return [
                .dropped("gradient for step \(result.step) from worker \(member.index), which was not computing it"),
                .send(rejection(result, .notAssigned), to: member.route),
            ]
        }
        let leaves = setup.schedule.leafCount(ofBatch: setup.schedule.position(ofStep: flight.step).batch)
        guard result.microShards == 0..<leaves, result.parameterVersion >= flight.version,
            result.parameterVersion <= parameterVersion
        else {
            return [
                .dropped(
                    "gradient from worker \(member.index) covers leaves \(result.microShards) at v\(result.parameterVersion); expected the whole batch 0..<\(leaves) at v\(flight.version)...v\(parameterVersion)"
                )
            ]
        }
        inFlight[member.identity] = nil
        if parameterVersion - result.parameterVersion > UInt64(setup.maxStaleness) {
            staleResults += 1
            returned.append(flight.step)
            return [
                .send(rejection(result, .stale), to: member.route),
                .dropped(
                    "stale gradient from worker \(member.index): v\(result.parameterVersion), now v\(parameterVersion) (max_staleness \(setup.maxStaleness))"
                ),
            ]
                + assignIdleWorkers()
        }
        let rate = core.applyGradientSum(result.gradientSum.toArray(), count: Int(result.exampleCount))
        core.completedSteps += 1
        core.parameterVersion += 1
        let count = Int(result.exampleCount)
        let report = StepReport(
            step: completedSteps, epoch: setup.schedule.position(ofStep: flight.step).epoch,
            endsEpoch: completedSteps.isMultiple(of: setup.schedule.stepsPerEpoch),
            meanLoss: result.lossSum / Double(max(count, 1)), examples: count, learningRate: rate,
            parameterVersion: parameterVersion, activeWorkers: membership.members.count)
        let published: [TrainerCommand] = [.publish(.parameterBroadcast(core.broadcast())), .stepCompleted(report)]
        if isFinished { return published + [.finished] }
        return published + tick(now: now)
    }
}
