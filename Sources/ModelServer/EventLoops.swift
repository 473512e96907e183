import Dispatch
import NIOCore
import NIOPosix

extension InferenceServer {
    /// Makes the server's event loops Swift concurrency's global executor, with `threads` loops
    /// (nil: one per core). Without it every request crosses threads twice: the event loop
    /// reads it, a thread of the concurrency pool runs the handler, and the event loop writes the
    /// answer; on a small machine those hand-offs, not the work, set the tail latency.
    ///
    /// Call it once, from the main thread, before any task runs. Returns false (and changes
    /// nothing) when the executor could not be installed.
    @discardableResult
    package static func runConcurrencyOnEventLoops(threads: Int?) -> Bool {
        if let threads { NIOSingletons.groupLoopCountSuggestion = threads }
        return NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}

extension InferenceServer {
    /// Runs blocking `work` (disk, the tracking store, waiting on a lock) on a Dispatch thread
    /// and resumes with its result, so that no event loop — and no request queued on it — waits.
    static func offEventLoop<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }
}
