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

/// Elementwise work over large arrays, split into contiguous ranges run on several threads.
///
/// Each element's computation does not depend on how the range is split, so the result is
/// bitwise the same for any thread count. Arrays below `threads × minimum` elements run on the
/// calling thread alone (the split costs more than it saves).
package enum ElementwiseSplit {
    /// Default smallest range per thread: 1 Mi elements (4 MiB of Float32).
    package static let defaultMinimum = 1 << 20

    /// Calls `body` once per range of `0..<count`, in parallel when there is more than one range.
    package static func run(count: Int, threads: Int, minimum: Int = defaultMinimum, _ body: (Range<Int>) -> Void) {
        let parts = max(1, min(threads, count / max(minimum, 1)))
        if parts == 1 {
            body(0..<count)
            return
        }
        ParallelFor.run(parts, threads: parts) { part in body((part * count / parts)..<((part + 1) * count / parts)) }
    }

    /// The first index at which `values` is NaN or infinite, or nil: ``VectorMath/firstNonFinite(_:)-([Float])``
    /// with the scan split like ``run(count:threads:minimum:_:)``.
    package static func firstNonFinite(_ values: UnsafeBufferPointer<Float>, threads: Int) -> Int? {
        let parts = max(1, min(threads, values.count / defaultMinimum))
        if parts == 1 { return VectorMath.firstNonFinite(values) }
        let found = UnsafeMutableBufferPointer<Int>.allocate(capacity: parts)
        defer { found.deallocate() }
        ParallelFor.run(parts, threads: parts) { part in
            let range = (part * values.count / parts)..<((part + 1) * values.count / parts)
            found[part] =
                VectorMath.firstNonFinite(UnsafeBufferPointer(rebasing: values[range])).map { $0 + range.lowerBound }
                ?? -1
        }
        return found.first { $0 >= 0 }
    }
}

/// Carries a non-Sendable closure into `concurrentPerform`; the callers guarantee that work
/// items touch disjoint memory.
private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
