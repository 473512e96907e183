import Synchronization

/// A flag another thread (a signal handler's queue) sets to ask a loop to stop.
package final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    package init() {}
    /// Asks the loop to stop at its next check.
    package func request() { flag.store(true, ordering: .relaxed) }
    package var isRequested: Bool { flag.load(ordering: .relaxed) }
}
