import CZeroMQ

/// A libzmq context: the I/O threads and the registry of sockets.
///
/// A context is thread-safe and may be shared between threads and tasks. Sockets are not: create
/// each socket on the thread that uses it (see ``Socket``). Terminating the context (explicitly or
/// when the last reference goes) closes nothing by itself: close every socket first, or `terminate`
/// blocks until they are closed. Sockets made by this wrapper default to a bounded linger, so
/// termination never hangs on undeliverable messages.
package final class Context: @unchecked Sendable {
    /// The raw `void *` context. Valid until `terminate()`.
    let handle: UnsafeMutableRawPointer
    private let state = TerminationState()

    /// Creates a context with `ioThreads` I/O threads (one is enough below ~1 GB/s per thread).
    package init(ioThreads: Int = 1) throws {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        self.handle = handle
        if zmq_ctx_set(handle, ZMQ_IO_THREADS, Int32(ioThreads)) != 0 {
            let error = ZMQError.last("zmq_ctx_set(ZMQ_IO_THREADS)")
            zmq_ctx_term(handle)
            throw error
        }
    }

    /// Opens a socket of the given type with Trainyard's defaults (see ``SocketDefaults``).
    package func socket(_ type: SocketType, defaults: SocketDefaults = .standard) throws -> Socket {
        try Socket(context: self, type: type, defaults: defaults)
    }

    /// Makes blocking calls on this context's sockets fail with `ETERM`, then waits for every socket
    /// to be closed and frees the context. Safe to call more than once.
    package func terminate() {
        guard state.markTerminated() else { return }
        zmq_ctx_shutdown(handle)
        while zmq_ctx_term(handle) != 0 && czmq_errno() == czmq_eintr() {}
    }

    deinit { terminate() }
}

/// A once-only flag guarded by a lock.
private final class TerminationState: @unchecked Sendable {
    private var terminated = false
    private let lock = Mutex()

    /// Returns true the first time only.
    func markTerminated() -> Bool {
        lock.withLock {
            if terminated { return false }
            terminated = true
            return true
        }
    }
}
