import Foundation

/// Runs drift evaluations on one background thread, so that an evaluation — O(window ×
/// features × log window), about a millisecond for 1000 rows of 32 features — never holds up
/// an event loop and the requests queued on it. The thread has the same priority as the loops:
/// evaluations keep their pace under load. Jobs run in the order submitted; a model has at most
/// one in flight, since ``DriftMonitor`` hands out no snapshot while one is evaluated.
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
        while true {
            let job = condition.withLock {
                while jobs.isEmpty { condition.wait() }
                return jobs.removeFirst()
            }
            job()
        }
    }
}
