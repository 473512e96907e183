import GradientCore
import TrainingProtocol

/// The synchronous-training coordinator as a state machine: membership, work assignment,
/// aggregation along the micro-shard tree, stragglers and the optimizer step.
///
/// Driven by ``start(now:)``, ``handle(_:from:now:)`` and ``tick(now:)``; it answers with
/// ``TrainerCommand``s for the socket loop to carry out. No sockets, no clocks, no threads: tests
/// drive it with made-up times and messages. The result does not depend on the worker count,
/// on failures, or on who computed which micro-shard (docs/PROTOCOL.md, section 6).
package struct SyncTrainer: TrainerCoreOwner {
    var core: TrainerCore
    private var current: StepInProgress?
    private var stragglers: StragglerDetector

    /// The running step: its aggregator, who computes what, and leaves nobody has yet.
    struct StepInProgress {
        var aggregator: SyncStepAggregator
        var planner: WorkPlanner
        var unassigned: [Int]
        let epoch: Int
        let batch: Int
    }

    /// A trainer starting from `parameters` (initial or restored) after `completedSteps` steps.
    package init(setup: TrainerSetup, parameters: [Float], optimizer: Optimizer, completedSteps: Int = 0) {
        core = TrainerCore(setup: setup, parameters: parameters, optimizer: optimizer, completedSteps: completedSteps)
        stragglers = StragglerDetector(factor: setup.stragglerFactor, floor: setup.heartbeatInterval)
    }

    // MARK: - Events

    package mutating func handle(_ message: Message, from route: [UInt8], now: Double) -> [TrainerCommand] {
        switch core.route(message, from: route, now: now) {
        case .answered(let commands): return commands
        case .admitted(let commands): return commands + tick(now: now)
        case .left(let who, let commands): return commands + reassignWork(of: who, now: now)
        case .result(.gradientResult(let result), let member): return receive(result, from: member, now: now)
        case .result(let other, let member): return [.dropped("unexpected \(other.kind) from worker \(member.index)")]
        }
    }

    package mutating func tick(now: Double) -> [TrainerCommand] {
        var (commands, left) = core.housekeeping(now: now)
        for who in left { commands += reassignWork(of: who, now: now) }
        if isFinished { return commands }
        if let waiting = core.shortOfWorkers(now: now) { return commands + waiting }
        if current == nil {
            commands += beginStep(now: now)
        } else if let step = current, !step.unassigned.isEmpty {
            commands += assign(step.unassigned, among: membership.order, now: now)
        }
        return commands + checkStragglers(now: now)
    }

    // MARK: - Internals

    private mutating func beginStep(now: Double) -> [TrainerCommand] {
        let (epoch, batch) = setup.schedule.position(ofStep: completedSteps)
        let leaves = setup.schedule.leafCount(ofBatch: batch)
        guard let tree = MicroShardTree(leafCount: leaves) else { preconditionFailure("leaf count out of range") }
        current = StepInProgress(
            aggregator: SyncStepAggregator(
                tree: tree, parameterCount: parameters.count,
                threads: setup.updateThreads),
            planner: WorkPlanner(tree: tree), unassigned: Array(0..<leaves), epoch: epoch, batch: batch)
        stragglers.beginStep()
        return [.publish(.parameterBroadcast(core.broadcast()))]
            + assign(Array(0..<leaves), among: membership.order, now: now)
    }

    private mutating func assign(_ leaves: [Int], among workers: [WorkerIdentity], now: Double) -> [TrainerCommand] {
        guard var step = current, !workers.isEmpty else { return [] }
        let plan = step.planner.distribute(leaves, among: workers)
        step.unassigned.removeAll { leaf in plan.values.contains { $0.contains(leaf) } }
        current = step
        var commands: [TrainerCommand] = []
        for worker in workers {
            guard let mine = plan[worker], let member = membership.member(worker) else { continue }
            stragglers.began(worker, now: now)
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

    private mutating func reassignWork(of lost: WorkerIdentity, now: Double) -> [TrainerCommand] {
        stragglers.abandoned(lost)
        guard var step = current else { return [] }
        let survivors = membership.order
        if survivors.isEmpty {
            step.unassigned = step.aggregator.missingLeaves
            step.planner = WorkPlanner(tree: step.aggregator.tree)
            current = step
            return []
        }
        let orphaned = step.planner.outstanding[lost] ?? []
        guard !orphaned.isEmpty else { return [] }
        current?.planner.forget(lost)
        // Leaves another worker is also computing (copies of a straggler's) need no third copy.
        let elsewhere = Set(current?.planner.outstanding.values.flatMap { $0 } ?? [])
        let missing = orphaned.filter { !elsewhere.contains($0) }
        return assign(missing, among: survivors, now: now)
    }

    private mutating func checkStragglers(now: Double) -> [TrainerCommand] {
        guard let step = current else { return [] }
        var commands: [TrainerCommand] = []
        for plan in stragglers.plans(
            membership, policy: setup.stragglerPolicy, now: now,
            pending: { step.planner.outstanding[$0] ?? [] })
        {
            if !plan.helpers.isEmpty { commands += assign(plan.copy, among: plan.helpers, now: now) }
            commands.append(.straggler(plan.report))
        }
        return commands
    }

    private mutating func receive(
        _ result: TrainingProtocol.GradientResult, from member: Membership.Member, now: Double
    ) -> [TrainerCommand] {
        guard var step = current else { return [.dropped("gradient from worker \(member.index) with no step running")] }
        guard result.step == UInt64(completedSteps), result.parameterVersion == parameterVersion else {
            return [
                .dropped(
                    "stale gradient from worker \(member.index): step \(result.step) v\(result.parameterVersion), now step \(completedSteps) v\(parameterVersion)"
                )
            ]
        }
        guard result.microShardsPerBatch == step.aggregator.tree.leafCount else {
            return [
                .dropped(
                    "gradient from worker \(member.index) has \(result.microShardsPerBatch) micro-shards, expected \(step.aggregator.tree.leafCount)"
                )
            ]
        }
        let sum = SubtreeSum(
            leaves: result.microShards, payload: result.gradientSum,
            lossSum: result.lossSum, count: Int(result.exampleCount))
        let outcome = step.aggregator.accept(sum)
        guard outcome == .accepted else {
            // A copy of a straggler's or a lost worker's leaves that arrived second: same bits, not needed.
            return outcome == .overlapsReceived ? [] : [.dropped("gradient from worker \(member.index): \(outcome)")]
        }
        step.planner.received(result.microShards)
        current = step
        for worker in stragglers.runningWorkers where step.planner.outstanding[worker] == nil {
            if worker == member.identity { stragglers.finished(worker, now: now) } else { stragglers.abandoned(worker) }
        }
        guard step.aggregator.isComplete, let total = step.aggregator.reduce() else { return [] }
        return finishStep(total, epoch: step.epoch, batch: step.batch, now: now)
    }

    private mutating func finishStep(_ total: SubtreeSum, epoch: Int, batch: Int, now: Double) -> [TrainerCommand] {
        current = nil  // drops the received sums (their shared-memory slots go back to the workers)
        // The reduced values (no copy), or one copy of a single received sum; read, never written.
        let rate = core.applyGradientSum(total.gradient, count: total.count)
        core.completedSteps += 1
        core.parameterVersion += 1
        let report = StepReport(
            step: completedSteps, epoch: epoch, endsEpoch: batch == setup.schedule.stepsPerEpoch - 1,
            meanLoss: total.lossSum / Double(max(total.count, 1)), examples: total.count, learningRate: rate,
            parameterVersion: parameterVersion, activeWorkers: membership.members.count)
        if isFinished { return [.stepCompleted(report), .finished] }
        return [.stepCompleted(report)] + tick(now: now)
    }
}
