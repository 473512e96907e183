import GradientCore
import TrainingProtocol

/// The local-SGD coordinator as a state machine: each round covers the next K global batches of
/// the schedule (`localSteps`, never crossing an epoch); every batch is split into one contiguous
/// share per worker present when the round begins; each worker takes K optimizer steps on its
/// share from the round's parameters, and the coordinator averages the parameters it gets back,
/// weighted by examples, in ascending share order.
///
/// A share's result is a pure function of the round's parameters and the share's rows (workers
/// start each round with fresh optimizer state), so a share recomputed by another worker after a
/// failure, or copied from a straggler, gives the same bits: for a given number of workers at
/// each round's start the run is reproducible. Driven like ``SyncTrainer``: no sockets, no clocks.
package struct LocalSGDTrainer: TrainerCoreOwner {
    var core: TrainerCore
    private var round: Round?
    private var stragglers: StragglerDetector

    /// The round in progress.
    struct Round {
        let firstStep: Int
        let localSteps: Int
        let epoch: Int
        let endsEpoch: Bool
        /// One assignment per share, by share index.
        let shares: [WorkAssignment]
        var results: [Int: ShareResult] = [:]
        /// Shares sent to each worker and not answered yet, in the order sent: a worker answers
        /// its assignments in order.
        var queues: [WorkerIdentity: [Int]] = [:]
        /// Shares nobody is computing (every worker was lost).
        var unassigned: [Int] = []

        func pending(_ worker: WorkerIdentity) -> [Int] { (queues[worker] ?? []).filter { results[$0] == nil } }
    }

    /// One share's parameters after its local steps.
    struct ShareResult {
        let parameters: [Float]
        let examples: Int
        let lossSum: Double
    }

    /// A trainer starting from `parameters` after `completedSteps` global batches.
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
        case .result(.localSGDResult(let result), let member): return receive(result, from: member, now: now)
        case .result(let other, let member): return [.dropped("unexpected \(other.kind) from worker \(member.index)")]
        }
    }

    package mutating func tick(now: Double) -> [TrainerCommand] {
        var (commands, left) = core.housekeeping(now: now)
        for who in left { commands += reassignWork(of: who, now: now) }
        if isFinished { return commands }
        if let waiting = core.shortOfWorkers(now: now) { return commands + waiting }
        if round == nil {
            commands += beginRound(now: now)
        } else if let unassigned = round?.unassigned, !unassigned.isEmpty {
            round?.unassigned = []
            commands += assign(unassigned, among: membership.order, now: now)
        }
        return commands + checkStragglers(now: now)
    }

    // MARK: - Internals

    private mutating func beginRound(now: Double) -> [TrainerCommand] {
        let workers = membership.order
        guard !workers.isEmpty else { return [] }
        let schedule = setup.schedule
        let first = completedSteps
        let (epoch, batch) = schedule.position(ofStep: first)
        let steps = min(setup.localSteps, schedule.stepsPerEpoch - batch, setup.totalSteps - first)
        let count = workers.count
        let shares = (0..<count).map { share -> WorkAssignment in
            let shards = (0..<steps).map { k -> MicroShard in
                let rows = schedule.batchRows(batch + k)
                let n = rows.count
                let start = rows.lowerBound + share * n / count
                let end = rows.lowerBound + (share + 1) * n / count
                return MicroShard(index: UInt32(share), rowStart: UInt64(start), rowCount: UInt32(end - start))
            }
            return WorkAssignment(
                step: UInt64(first), parameterVersion: parameterVersion, epoch: UInt32(epoch),
                microShardsPerBatch: UInt32(count), mode: .localSGD, localSteps: UInt32(steps),
                datasetDigest: setup.datasetDigest, microShards: shards)
        }
        round = Round(
            firstStep: first, localSteps: steps, epoch: epoch,
            endsEpoch: batch + steps == schedule.stepsPerEpoch, shares: shares)
        stragglers.beginStep()
        return [.publish(.parameterBroadcast(core.broadcast()))] + assign(Array(0..<count), among: workers, now: now)
    }

    /// Sends `shares` to `workers` in turn.
    private mutating func assign(_ shares: [Int], among workers: [WorkerIdentity], now: Double) -> [TrainerCommand] {
        guard var current = round, !workers.isEmpty else {
            round?.unassigned += shares
            return []
        }
        var commands: [TrainerCommand] = []
        for (i, share) in shares.enumerated() {
            let worker = workers[i % workers.count]
            guard let member = membership.member(worker) else { continue }
            current.queues[worker, default: []].append(share)
            stragglers.began(worker, now: now)
            commands.append(.send(.workAssignment(current.shares[share]), to: member.route))
        }
        round = current
        return commands
    }

    private mutating func reassignWork(of lost: WorkerIdentity, now: Double) -> [TrainerCommand] {
        stragglers.abandoned(lost)
        guard let current = round else { return [] }
        let orphaned = current.pending(lost)
        round?.queues[lost] = nil
        // Shares a straggler's helper is already computing need no second copy.
        let copied = Set(membership.order.flatMap { current.pending($0) })
        let missing = orphaned.filter { !copied.contains($0) }
        guard !missing.isEmpty else { return [] }
        return assign(missing, among: membership.order, now: now)
    }

    private mutating func receive(_ result: LocalSGDResult, from member: Membership.Member, now: Double)
        -> [TrainerCommand]
    {
        guard var current = round, result.step == UInt64(current.firstStep), result.baseVersion == parameterVersion
        else {
            return [
                .dropped(
                    "stale local-SGD result from worker \(member.index): round \(result.step) v\(result.baseVersion), now v\(parameterVersion)"
                )
            ]
        }
        guard var queue = current.queues[member.identity], !queue.isEmpty else {
            return [
                .dropped("local-SGD result from worker \(member.index), which has no share of round \(result.step)")
            ]
        }
        let share = queue.removeFirst()
        current.queues[member.identity] = queue
        guard result.localSteps == UInt32(current.localSteps) else {
            round = current
            return [
                .dropped(
                    "local-SGD result from worker \(member.index) took \(result.localSteps) local steps, expected \(current.localSteps)"
                )
            ]
        }
        if current.results[share] == nil {
            current.results[share] = ShareResult(
                parameters: result.parameters.toArray(), examples: Int(result.exampleCount),
                lossSum: result.lossSum)
        }
        round = current
        for worker in stragglers.runningWorkers where current.pending(worker).isEmpty {
            if worker == member.identity { stragglers.finished(worker, now: now) } else { stragglers.abandoned(worker) }
        }
        guard current.results.count == current.shares.count else { return [] }
        return finishRound(current, now: now)
    }

    /// θ = Σ_p (n_p / N) · θ_p in ascending share order; shares without examples weigh nothing.
    private mutating func finishRound(_ finished: Round, now: Double) -> [TrainerCommand] {
        let shares = (0..<finished.shares.count).compactMap { finished.results[$0] }
        let examples = shares.reduce(0) { $0 + $1.examples }
        if examples > 0 {
            var average = [Float](repeating: 0, count: parameters.count)
            for share in shares where share.examples > 0 {
                let weight = Float(share.examples) / Float(examples)
                share.parameters.withUnsafeBufferPointer { p in
                    average.withUnsafeMutableBufferPointer { a in
                        for i in 0..<a.count { a[i] += weight * p[i] }
                    }
                }
            }
            core.parameters = average
        }
        let rate = setup.learningRate.rate(at: finished.firstStep)
        core.completedSteps += finished.localSteps
        core.parameterVersion += 1
        round = nil
        let report = StepReport(
            step: completedSteps, epoch: finished.epoch, endsEpoch: finished.endsEpoch,
            meanLoss: shares.reduce(0) { $0 + $1.lossSum } / Double(max(examples, 1)), examples: examples,
            learningRate: rate, parameterVersion: parameterVersion, activeWorkers: membership.members.count)
        if isFinished { return [.stepCompleted(report), .finished] }
        return [.stepCompleted(report)] + tick(now: now)
    }

    private mutating func checkStragglers(now: Double) -> [TrainerCommand] {
        guard let current = round else { return [] }
        var commands: [TrainerCommand] = []
        for plan in stragglers.plans(membership, policy: setup.stragglerPolicy, now: now, pending: current.pending) {
            if !plan.helpers.isEmpty { commands += assign(plan.copy, among: plan.helpers, now: now) }
            commands.append(.straggler(plan.report))
        }
        return commands
    }
}
