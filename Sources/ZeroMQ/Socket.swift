import CZeroMQ

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A ZeroMQ socket.
///
/// **Threading rule:** a socket is owned by one thread at a time. It is deliberately not
/// `Sendable`: create it on the thread (or inside the task) that uses it, and hand work to other
/// threads through messages (`inproc://` sockets), not by sharing the socket. Only the
/// ``Context`` is shared.
///
/// The socket is closed by ``close()`` or when the object is released.
package final class Socket {
    /// The raw `void *` socket; nil after close.
    private(set) var handle: UnsafeMutableRawPointer?
    /// The socket type it was created with.
    package let type: SocketType
    /// Keeps the context alive while the socket exists.
    private let context: Context

    init(context: Context, type: SocketType, defaults: SocketDefaults) throws {
        guard let handle = zmq_socket(context.handle, type.rawValue) else {
            throw ZMQError.last("zmq_socket(\(type))")
        }
        self.handle = handle
        self.type = type
        self.context = context
        do {
            try set(.linger, defaults.linger)
            try set(.sendHighWaterMark, defaults.highWaterMark)
            try set(.receiveHighWaterMark, defaults.highWaterMark)
            try set(.maxMessageSize, defaults.maxMessageSize)
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// Closes the socket; queued outbound messages are kept for at most the linger period.
    package func close() {
        if let handle {
            zmq_close(handle)
            self.handle = nil
        }
    }

    func live(_ operation: String) throws -> UnsafeMutableRawPointer {
        guard let handle else { throw ZMQError(errno: ENOTSOCK, operation: operation) }
        return handle
    }

    // MARK: - Endpoints

    /// Binds to `endpoint`, e.g. `tcp://127.0.0.1:*` (any free port) or `inproc://name`.
    /// - Throws: ``ZMQError`` naming the endpoint (bad syntax, address in use, …).
    package func bind(_ endpoint: String) throws {
        guard zmq_bind(try live("zmq_bind"), endpoint) == 0 else {
            throw ZMQError.last("zmq_bind", endpoint: endpoint)
        }
    }

    /// Connects to `endpoint`; the connection is made in the background and retried.
    package func connect(_ endpoint: String) throws {
        guard zmq_connect(try live("zmq_connect"), endpoint) == 0 else {
            throw ZMQError.last("zmq_connect", endpoint: endpoint)
        }
    }

    /// Stops listening on an endpoint bound earlier (use the resolved ``lastEndpoint``).
    package func unbind(_ endpoint: String) throws {
        guard zmq_unbind(try live("zmq_unbind"), endpoint) == 0 else {
            throw ZMQError.last("zmq_unbind", endpoint: endpoint)
        }
    }

    /// Drops a connection made earlier with ``connect(_:)``.
    package func disconnect(_ endpoint: String) throws {
        guard zmq_disconnect(try live("zmq_disconnect"), endpoint) == 0 else {
            throw ZMQError.last("zmq_disconnect", endpoint: endpoint)
        }
    }

    /// The endpoint actually bound last, with the port filled in (`tcp://127.0.0.1:41873`).
    package var lastEndpoint: String {
        get throws {
            var buffer = [CChar](repeating: 0, count: 1024)
            var size = buffer.count
            guard zmq_getsockopt(try live("zmq_getsockopt"), ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else {
                throw ZMQError.last("zmq_getsockopt(ZMQ_LAST_ENDPOINT)")
            }
            return decodeCString(buffer)
        }
    }

    // MARK: - Options

    /// Sets a typed option, e.g. `try socket.set(.receiveTimeout, .milliseconds(500))`.
    package func set<Value>(_ option: SocketOption<Value>, _ value: Value) throws {
        let bytes = try option.encode(value)
        let handle = try live("zmq_setsockopt")
        let rc = bytes.withUnsafeBytes { zmq_setsockopt(handle, option.code, $0.baseAddress, $0.count) }
        guard rc == 0 else { throw ZMQError.last("zmq_setsockopt(\(option.name))") }
    }

    /// Reads a typed option.
    package func get<Value>(_ option: SocketOption<Value>) throws -> Value {
        var bytes = [UInt8](repeating: 0, count: option.capacity)
        var size = bytes.count
        let handle = try live("zmq_getsockopt")
        let rc = bytes.withUnsafeMutableBytes { zmq_getsockopt(handle, option.code, $0.baseAddress, &size) }
        guard rc == 0 else { throw ZMQError.last("zmq_getsockopt(\(option.name))") }
        return option.decode(Array(bytes.prefix(size)))
    }

    /// Configures this socket as a CURVE server with the given key pair. Call before bind.
    package func makeCurveServer(_ keys: CurveKeyPair) throws {
        try set(.curveServer, true)
        try set(.curveSecretKey, keys.secretKey)
    }

    /// Configures this socket as a CURVE client of the server with `serverKey`. Call before connect.
    /// A client with the wrong server key gets no connection at all (the handshake fails
    /// silently): use a receive timeout to notice.
    package func makeCurveClient(_ keys: CurveKeyPair, serverKey: CurveKey) throws {
        try set(.curveServerKey, serverKey)
        try set(.curvePublicKey, keys.publicKey)
        try set(.curveSecretKey, keys.secretKey)
    }

    /// True when the last frame received has more frames after it.
    package var hasMore: Bool { (try? get(.receiveMore)) ?? false }
}
