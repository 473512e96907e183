import Dispatch

/// Runs `count` independent work items on up to `threads` threads.
///
/// Work item `i` always runs the same computation on the same data whatever the thread count;
/// callers that write disjoint outputs per item therefore get identical results for any `threads`.
enum ParallelFor {
    static func run(_ count: Int, threads: Int, _ body: (Int) -> Void) {
        let workers = min(max(1, threads), count)
        if workers <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var i = worker
                while i < count {
                    box.value(i)
                    i += workers
                }
            }
        }
    }
}

/// Carries a non-Sendable closure into `concurrentPerform`; the callers guarantee that work
/// items touch disjoint memory.
private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
