import Foundation

/// Runs drift evaluations on one background thread, so that an evaluation — O(window ×
/// features × log window), about a millisecond for 1000 rows of 32 features — never holds up
/// an event loop and the requests queued on it.
///
/// On Linux the thread runs under `SCHED_IDLE`: it gets the cores the event loops leave idle
/// and yields the moment a loop wakes. With the same priority as the loops, an evaluation in
/// progress (30 a second at 6,000 rows/s with the default 200-row interval) held up about one
/// request in a hundred by a scheduler slice: p99 1.1 ms against 0.22 ms without drift, on
/// one core (docs/benchmarks-history.md). Under saturation evaluations fall behind instead; they do not
/// pile up, since a model has at most one in flight (``DriftMonitor`` hands out no snapshot
/// while one is evaluated). Jobs run in the order submitted.
final class DriftWorker: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []

    init() {
        let thread = Thread { [self] in run() }
        thread.name = "trainyard-drift"
        thread.start()
    }

    /// Queues `job`; returns at once.
    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.withLock {
            jobs.append(job)
            condition.signal()
        }
    }

    private func run() {
        #if os(Linux)
            var parameters = sched_param()
            let schedIdle: Int32 = 5  // SCHED_IDLE, which Glibc's module map leaves out
            _ = sched_setscheduler(0, schedIdle, &parameters)  // 0: this thread
        #endif
        while true {
            let job = condition.withLock {
                while jobs.isEmpty { condition.wait() }
                return jobs.removeFirst()
            }
            job()
        }
    }
}
