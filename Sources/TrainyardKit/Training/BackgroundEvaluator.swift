import Foundation
import GradientCore
import JobConfiguration

/// Runs validation evaluations off the coordinator's loop, one at a time and in the order they
/// were started, so the loop keeps aggregating and broadcasting while an evaluation runs.
///
/// With `idlePriority` (a host whose cores the local workers already fill) the evaluating
/// thread runs under Linux `SCHED_IDLE`: it takes only CPU time nothing else wants — the gaps
/// while workers wait for messages — and yields the moment a worker or the loop wakes, so it
/// never delays a synchronous step. At normal priority it slowed 2-worker runs on 2 cores by
/// taking a worker's core on the step's critical path; in the loop, each evaluation stalled every
/// worker. Evaluations queue up while training keeps the cores busy, and the queue drains in the
/// gaps and after the last step. Only when ``maximumPending(parameterCount:)`` evaluations wait or
/// run does a further `start` wait for one to finish (then the workers are idle and the
/// evaluation has the CPU): a bound of 2 stalled an MLP run on 2 cores for 25–78 ms at most
/// evaluations (~430 ms of a 2.4 s run), because at idle priority an evaluation takes longer
/// than the steps between two of them.
///
/// The parameters are a snapshot of the step (copy-on-write), so the result is the same whenever
/// it runs. Results are taken back on the caller's thread with ``takeFinished()`` or
/// ``waitForAll()``. The thread exists only while there is work; none is left behind.
package final class BackgroundEvaluator: @unchecked Sendable {
    package struct Finished {
        package let step: Int
        package let evaluation: Evaluation?
        /// When the evaluation finished (the time its metric points carry).
        package let at: Date
    }

    /// Parameter snapshots held by waiting evaluations stay within this many bytes ...
    package static let pendingBytes = 256 << 20
    /// ... and this many evaluations, and at least 2 may always be pending.
    package static let pendingLimit = 16

    /// How many evaluations of a model of `parameterCount` may wait or run at once.
    package static func maximumPending(parameterCount: Int) -> Int {
        max(2, min(pendingLimit, pendingBytes / max(1, parameterCount * MemoryLayout<Float>.size)))
    }

    package let maximumPending: Int

    private let model: Model
    private let features: [Float]
    private let labels: [Float]
    private let idlePriority: Bool
    private let condition = NSCondition()
    private var queue: [(parameters: [Float], step: Int)] = []
    /// Queued plus running.
    private var pending = 0
    private var draining = false
    private var finished: [Finished] = []

    package init(model: Model, features: [Float], labels: [Float], idlePriority: Bool) {
        self.model = model
        self.features = features
        self.labels = labels
        self.idlePriority = idlePriority
        maximumPending = Self.maximumPending(parameterCount: model.layout.count)
    }

    /// Starts evaluating `parameters` (the state after `step`), after any evaluation still running.
    package func start(_ parameters: [Float], step: Int) {
        condition.withLock {
            while pending >= maximumPending { condition.wait() }
            queue.append((parameters, step))
            pending += 1
            guard !draining else { return }
            draining = true
            let thread = Thread { [self] in drain() }
            thread.name = "trainyard-evaluation"
            thread.start()
        }
    }

    private func drain() {
        #if os(Linux)
            if idlePriority {
                var parameters = sched_param()
                _ = sched_setscheduler(0, 5 /* SCHED_IDLE, not in Glibc's module map */, &parameters)  // 0: this thread
            }
        #endif
        while true {
            let job: (parameters: [Float], step: Int)? = condition.withLock {
                guard !queue.isEmpty else {
                    draining = false
                    return nil
                }
                return queue.removeFirst()
            }
            guard let job else { return }
            let evaluation = evaluate(job.parameters)
            condition.withLock {
                finished.append(Finished(step: job.step, evaluation: evaluation, at: Date()))
                pending -= 1
                condition.broadcast()
            }
        }
    }

    /// Evaluates on the calling thread.
    package func evaluate(_ parameters: [Float]) -> Evaluation? {
        guard !labels.isEmpty else { return nil }
        return try? model.evaluate(parameters: parameters, features: features, labels: labels, rows: labels.count)
    }

    /// Drops the evaluations that have not started (a stopped run does not wait for its backlog);
    /// one already running still finishes.
    package func discardQueued() {
        condition.withLock {
            pending -= queue.count
            queue.removeAll()
            condition.broadcast()
        }
    }

    /// The evaluations finished since the last call, in the order they were started.
    package func takeFinished() -> [Finished] {
        condition.withLock {
            defer { finished.removeAll() }
            return finished
        }
    }

    /// Waits for every started evaluation, then returns those not yet taken.
    package func waitForAll() -> [Finished] {
        condition.withLock {
            while pending > 0 { condition.wait() }
        }
        return takeFinished()
    }
}
