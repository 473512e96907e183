import Foundation
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
final class SweepRunner: @unchecked Sendable {
    let definition: SweepDefinition
    let sweepID: String
    let store: TrackingStore
    /// `artifacts/SWEEP_ID`: the state file and the workers' logs.
    let directory: URL
    private let condition = NSCondition()
    private var state: SweepState
    private let board: SweepLeaderboard
    private let trap = SignalTrap()
    private var pools: [LocalWorkerPool] = []
    private var freeSlots: [Int] = []
    /// Running trials and the flags that stop them.
    private var running: [Int: StopFlag] = [:]
    private var failures: [Int: String] = [:]
    private var interrupted = false

    init(definition: SweepDefinition, state: SweepState, store: TrackingStore, directory: URL) {
        self.definition = definition
        self.state = state
        sweepID = state.sweepID
        self.store = store
        self.directory = directory
        board = SweepLeaderboard(keys: definition.spec.search.dimensions.map(\.key))
    }

    /// Runs trials until the scheduler is done or SIGINT/SIGTERM arrives; returns the final
    /// state (`interrupted` in the second case, with running trials checkpointed).
    func run(workers: Int) throws -> SweepState {
        signal(SIGPIPE, SIG_IGN)  // a worker that died must not take the sweep with it
        let slots = min(definition.spec.parallel, workers)
        let giveUpAfter = (try? JobConfig(from: definition.baseJob))?.cluster.workerGiveUpAfter ?? 30
        defer { pools.forEach { $0.stop() } }
        for slot in 0..<slots {
            let pool = LocalWorkerPool(
                logDirectory: directory.appendingPathComponent("slot-\(slot)", isDirectory: true))
            pools.append(pool)
            try pool.startServing(count: workers / slots + (slot < workers % slots ? 1 : 0), giveUpAfter: giveUpAfter)
        }
        freeSlots = Array(0..<slots)

        condition.lock()
        defer { condition.unlock() }
        // Trials that were running when the sweep stopped go on first, from their checkpoints.
        var unfinished = state.scheduler.trials.filter { $0.state == .running }.map(\.index)
        var exhausted = false
        state.status = .running
        while true {
            if trap.stop.isRequested && !interrupted {
                interrupted = true
                running.values.forEach { $0.request() }
                board.event("interrupted: checkpointing \(running.count) running trial(s)", state: state)
            }
            fill: while !interrupted && !freeSlots.isEmpty {
                let trial: Int
                if !unfinished.isEmpty {
                    trial = unfinished.removeFirst()
                } else {
                    switch state.scheduler.suggest() {
                    case .start(let index, _), .promote(let index, _): trial = index
                    case .wait: break fill
                    case .finished:
                        exhausted = true
                        break fill
                    }
                }
                if !reportIfReached(trial) { launch(trial, slot: freeSlots.removeFirst()) }
                save()
            }
            if running.isEmpty && (interrupted || exhausted) { break }
            _ = condition.wait(until: Date().addingTimeInterval(0.2))
        }
        state.status = interrupted ? .interrupted : .finished
        save()
        return state
    }

    /// The epoch running trial `index` trains until.
    private func target(of index: Int) -> Int {
        state.scheduler.targetEpoch(of: index) ?? (try? definition.totalEpochs(ofTrial: index)) ?? 1
    }

    /// Reports a trial whose target epoch was recorded before an interruption, instead of
    /// running it again; true if it did.
    private func reportIfReached(_ index: Int) -> Bool {
        let objective = state.trials[index].objective
        let epoch = target(of: index)
        guard objective.count >= epoch else { return false }
        state.scheduler.report(trial: index, value: objective[epoch - 1])
        board.event(describe(index, reached: epoch), state: state)
        return true
    }

    private func launch(_ index: Int, slot: Int) {
        let stop = StopFlag()
        running[index] = stop
        let epoch = target(of: index)
        let source: JobSource
        if let runID = state.trials[index].runID {
            source = .resume(run: runID, force: false)
            board.event("trial \(index) continues from its checkpoint to epoch \(epoch)", state: state)
        } else {
            do {
                source = .document(try definition.trialDocument(index), origin: "\(definition.name) trial \(index)")
            } catch {
                running[index] = nil
                freeSlots.insert(slot, at: 0)
                state.trials[index].error = "\(error)"
                state.scheduler.fail(trial: index)
                board.event("trial \(index) failed: \(error)", state: state)
                return
            }
            let values = state.trials[index].parameters.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            board.event("trial \(index) starts: \(values)", state: state)
        }
        let thread = Thread { [self] in runTrial(index, slot: slot, source: source, until: epoch, stop: stop) }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// A trial's session, on its own thread.
    private func runTrial(_ index: Int, slot: Int, source: JobSource, until epoch: Int, stop: StopFlag) {
        let pool = pools[slot]
        var session = TrainingSession(source: source, controlBind: "tcp://127.0.0.1:*", broadcastBind: nil)
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
        freeSlots.append(slot)
        freeSlots.sort()
        guard !interrupted else { return }  // still running as far as the scheduler knows: resumed later
        if let failure = failure ?? failures[index] {
            state.trials[index].error = failure
            state.scheduler.fail(trial: index)
            board.event("trial \(index) failed: \(failure)", state: state)
        } else if !reportIfReached(index) {
            state.trials[index].error = "stopped before epoch \(epoch)"
            state.scheduler.fail(trial: index)
            board.event("trial \(index) failed: it stopped before epoch \(epoch)", state: state)
        }
        save()
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

    private func describe(_ index: Int, reached epoch: Int) -> String {
        let metric = state.scheduler.objective.metric
        let value = state.trials[index].objective[epoch - 1]
        let outcome = state.scheduler.trials[index].state == .completed ? "finished" : "paused"
        return "trial \(index) \(outcome) at epoch \(epoch): \(metric) \(String(format: "%.4f", value))"
    }

    private func save() {
        do {
            try state.save(in: directory)
        } catch {
            printError("warning: could not save the sweep state: \(error)")
        }
    }
}
