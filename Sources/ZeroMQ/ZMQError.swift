import CZeroMQ

/// A failed libzmq call: the errno it set, libzmq's message for it, the operation and (where one
/// was involved) the endpoint.
///
/// `EAGAIN` from a non-blocking or timed-out receive is not an error in this API: those calls
/// return `nil` instead.
package struct ZMQError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The errno value reported by `zmq_errno()`.
    package let errno: Int32
    /// `zmq_strerror(errno)`.
    package let message: String
    /// The libzmq function that failed, e.g. `zmq_bind`.
    package let operation: String
    /// The endpoint passed to bind/connect/unbind/disconnect, when relevant.
    package let endpoint: String?

    package init(errno: Int32, operation: String, endpoint: String? = nil) {
        self.errno = errno
        self.message = String(cString: zmq_strerror(errno))
        self.operation = operation
        self.endpoint = endpoint
    }

    /// The error for the calling thread's current `zmq_errno()`.
    static func last(_ operation: String, endpoint: String? = nil) -> ZMQError {
        ZMQError(errno: czmq_errno(), operation: operation, endpoint: endpoint)
    }

    package var description: String {
        if let endpoint {
            return "\(operation)(\"\(endpoint)\") failed: \(message) (errno \(errno))"
        }
        return "\(operation) failed: \(message) (errno \(errno))"
    }

    /// True for `EAGAIN`: no message now (non-blocking) or the timeout passed.
    package var isAgain: Bool { errno == czmq_eagain() }
    /// True for `ETERM`: the context was terminated.
    package var isTerminated: Bool { errno == czmq_eterm() }
    /// True for `EHOSTUNREACH`: a ROUTER with router-mandatory could not route a message.
    package var isHostUnreachable: Bool { errno == czmq_ehostunreach() }
}

/// Errors for values this wrapper rejects before calling libzmq.
package enum ZMQUsageError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A CURVE key was not 32 bytes (binary) or 40 characters (Z85).
    case invalidCurveKey(String)
    /// A Z85 string whose length is not a multiple of 5, or has invalid characters.
    case invalidZ85(String)
    /// Z85 input bytes whose count is not a multiple of 4.
    case invalidZ85Length(Int)
    /// A received message was larger than the buffer it was received into.
    case truncated(received: Int, capacity: Int)

    package var description: String {
        switch self {
        case .invalidCurveKey(let what):
            return "invalid CURVE key: \(what) (expected 32 bytes or 40 Z85 characters)"
        case .invalidZ85(let text):
            return "invalid Z85 text \"\(text.prefix(60))\": length must be a multiple of 5 and use the Z85 alphabet"
        case .invalidZ85Length(let count):
            return "Z85 encodes multiples of 4 bytes; got \(count) bytes"
        case .truncated(let received, let capacity):
            return "message of \(received) bytes truncated into a \(capacity)-byte buffer"
        }
    }
}
