import Foundation
import JobConfiguration
import Sweeps
import TrackingStore
import TrainingRuntime

/// Runs a sweep's trials on a pool of local workers started once.
///
/// The `--workers` processes are split into one pool per concurrent trial (`parallel`); each
/// worker runs `trainyard worker --jobs-from-stdin` and is sent from one trial's coordinator to
/// the next through its standard input, so no worker is started per trial. Every trial is a
/// ``TrainingSession`` on its own thread (a run whose parent is the sweep run); after each epoch
/// the session reports its metrics here, and stops at the epoch the scheduler asked for with a
/// checkpoint, from which a promoted trial continues. The state is saved after every event, so
/// an interrupted sweep goes on where it stopped (see ``SweepState``).
///
/// Decisions do not depend on timing: each of the `parallel` lanes has a virtual clock in
/// epochs, a trial placed on a lane at time T ends at T plus the epochs it trains, and results
/// are handed to the scheduler in the order of those virtual end times (ties: lower lane first)
/// — a result that arrives early waits for the ones that end before it. So the same sweep makes
/// the same decisions for any machine speed, and again after an interruption.
package final class SweepRunner: @unchecked Sendable {
    package let definition: SweepDefinition
    package let sweepID: String
    package let store: TrackingStore
    /// `artifacts/SWEEP_ID`: the state file and the workers' logs.
    package let directory: URL
    private let condition = NSCondition()
    private var state: SweepState
    private let board: SweepProgress
    /// Set by the caller's signal handling: checkpoint the running trials and stop.
    private let stop: StopFlag
    private let environment: RunEnvironment
    private var pools: [LocalWorkerPool] = []
    /// All the sweep's worker processes (they share this host's cores).
    private var totalWorkers = 0
    /// Trials whose sessions are running, and the flags that stop them.
    private var running: [Int: StopFlag] = [:]
    /// Trials whose sessions ended, waiting for their turn: nil, or why the trial failed.
    private var ended: [Int: String?] = [:]
    private var failures: [Int: String] = [:]
    private var interrupted = false
    private var exhausted = false

    package init(
        definition: SweepDefinition, state: SweepState, store: TrackingStore, directory: URL,
        environment: RunEnvironment, stop: StopFlag, progress: SweepProgress
    ) {
        self.definition = definition
        self.state = state
        sweepID = state.sweepID
        self.store = store
        self.directory = directory
        board = progress
        self.stop = stop
        self.environment = environment
    }

    /// Runs trials until the scheduler is done or SIGINT/SIGTERM arrives; returns the final
    /// state (`interrupted` in the second case, with running trials checkpointed).
    /// - Precondition: `workers` ≥ `parallel`.
    package func run(workers: Int) throws -> SweepState {
        signal(SIGPIPE, SIG_IGN)  // a worker that died must not take the sweep with it
        let lanes = definition.spec.parallel
        totalWorkers = workers
        let giveUpAfter = (try? JobConfig(from: definition.baseJob))?.cluster.workerGiveUpAfter ?? 30
        defer { pools.forEach { $0.stop() } }
        for lane in 0..<lanes {
            let pool = LocalWorkerPool(
                logDirectory: directory.appendingPathComponent("slot-\(lane)", isDirectory: true))
            pools.append(pool)
            try pool.startServing(count: workers / lanes + (lane < workers % lanes ? 1 : 0), giveUpAfter: giveUpAfter)
        }

        condition.lock()
        defer { condition.unlock() }
        state.status = .running
        // Trials that were running when the sweep stopped go on first, from their checkpoints.
        for placement in state.placements { start(placement) }
        fill(Array(0..<lanes))
        save()
        while true {
            if stop.isRequested && !interrupted {
                interrupted = true
                running.values.forEach { $0.request() }
                board.event("interrupted: checkpointing \(running.count) running trial(s)", state: state)
            }
            // Hand over results in virtual-time order; each frees its lane, which is filled again.
            while !interrupted, let next = state.placements.min(by: { ($0.end, $0.lane) < ($1.end, $1.lane) }),
                let outcome = ended.removeValue(forKey: next.trial)
            {
                state.placements.removeAll { $0.trial == next.trial }
                state.clock = next.end
                deliver(next.trial, failure: outcome)
                fill([next.lane] + (0..<lanes).filter { $0 != next.lane })
                save()
            }
            if running.isEmpty && (interrupted || (exhausted && state.placements.isEmpty)) { break }
            _ = condition.wait(until: Date().addingTimeInterval(0.2))
        }
        state.status = interrupted ? .interrupted : .finished
        save()
        return state
    }

    /// Places what the scheduler suggests on each idle lane of `lanes`, in that order, at the
    /// current virtual time.
    private func fill(_ lanes: [Int]) {
        for lane in lanes where !exhausted && !state.placements.contains(where: { $0.lane == lane }) {
            let trial: Int
            switch state.scheduler.suggest() {
            case .start(let index, _), .promote(let index, _): trial = index
            case .wait: return
            case .finished:
                exhausted = true
                return
            }
            let epochs = max(target(of: trial) - state.trials[trial].objective.count, 0)
            let placement = SweepState.Placement(trial: trial, lane: lane, end: state.clock + epochs)
            state.placements.append(placement)
            start(placement)
        }
    }

    /// The epoch running trial `index` trains until.
    private func target(of index: Int) -> Int {
        state.scheduler.targetEpoch(of: index) ?? (try? definition.totalEpochs(ofTrial: index)) ?? 1
    }

    /// Starts a placed trial's session, unless its target epoch was recorded before an
    /// interruption (then it has ended already).
    private func start(_ placement: SweepState.Placement) {
        let index = placement.trial
        let epoch = target(of: index)
        guard state.trials[index].objective.count < epoch else {
            ended[index] = .some(nil)
            return
        }
        let source: JobSource
        if let runID = state.trials[index].runID {
            source = .resume(run: runID, force: false)
            board.event("trial \(index) continues from its checkpoint to epoch \(epoch)", state: state)
        } else {
            do {
                source = .document(try definition.trialDocument(index), origin: "\(definition.name) trial \(index)")
            } catch {
                ended[index] = "\(error)"
                return
            }
            let values = state.trials[index].parameters.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            board.event("trial \(index) starts: \(values)", state: state)
        }
        let stop = StopFlag()
        running[index] = stop
        let thread = Thread { [self] in
            runTrial(index, lane: placement.lane, source: source, until: epoch, stop: stop)
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Reports an ended trial to the scheduler: its objective at the target epoch, or a failure.
    private func deliver(_ index: Int, failure: String?) {
        let epoch = target(of: index)
        let objective = state.trials[index].objective
        if let failure = failure ?? failures[index] {
            state.trials[index].error = failure
            state.scheduler.fail(trial: index)
            board.event("trial \(index) failed: \(failure)", state: state)
        } else if objective.count >= epoch {
            state.scheduler.report(trial: index, value: objective[epoch - 1])
            let outcome = state.scheduler.trials[index].state == .completed ? "finished" : "paused"
            let metric = state.scheduler.objective.metric
            board.event(
                "trial \(index) \(outcome) at epoch \(epoch): \(metric) \(String(format: "%.4f", objective[epoch - 1]))",
                state: state)
        } else {
            state.trials[index].error = "stopped before epoch \(epoch)"
            state.scheduler.fail(trial: index)
            board.event("trial \(index) failed: it stopped before epoch \(epoch)", state: state)
        }
    }

    /// A trial's session, on its own thread.
    private func runTrial(_ index: Int, lane: Int, source: JobSource, until epoch: Int, stop: StopFlag) {
        let pool = pools[lane]
        var session = TrainingSession(
            source: source, environment: environment, controlBind: "tcp://127.0.0.1:*",
            broadcastBind: nil, display: SilentDisplay())
        session.localWorkers = totalWorkers
        session.trial = TrialHooks(
            parentRunID: sweepID, stop: stop,
            runOpened: { [self] runID in opened(index, runID: runID) },
            epochEnded: { [self] reached, metrics in epochEnded(index, epoch: reached, metrics: metrics, until: epoch) }
        )
        var failure: String?
        do {
            let summary = try session.run(
                launch: { endpoint, jobID, _, _ in
                    try pool.assign(endpoint: endpoint, jobID: jobID.description)
                }, afterRun: {})
            if summary.status == RunStatus.failed.rawValue { failure = "the run failed" }
        } catch {
            failure = "\(error)"
        }
        condition.lock()
        defer {
            condition.signal()
            condition.unlock()
        }
        running[index] = nil
        // An interrupted trial stays placed: the sweep continues it when resumed.
        if !interrupted { ended[index] = .some(failure) }
    }

    private func opened(_ index: Int, runID: String) {
        try? store.setTag(runID: runID, key: "sweep.trial", value: String(index))
        condition.lock()
        defer { condition.unlock() }
        state.trials[index].runID = runID
        save()
    }

    /// Records an epoch's objective; true stops the trial (its target epoch, or no objective).
    private func epochEnded(_ index: Int, epoch: Int, metrics: [String: Double], until target: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let metric = state.scheduler.objective.metric
        guard let value = metrics[metric] else {
            failures[index] =
                "the run reports no metric \(metric) (it has \(metrics.keys.sorted().joined(separator: ", ")))"
            return true
        }
        state.record(trial: index, epoch: epoch, value: value, metrics: metrics)
        save()
        board.update(state)
        return epoch >= target
    }

    private func save() {
        do {
            try state.save(in: directory)
        } catch {
            board.warning("could not save the sweep state: \(error)")
        }
    }
}
