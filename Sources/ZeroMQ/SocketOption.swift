import CZeroMQ

/// A typed libzmq socket option: its number and how its value is laid out.
///
/// Use the static members (`.linger`, `.receiveTimeout`, `.routingID`, …) with
/// ``Socket/set(_:_:)`` and ``Socket/get(_:)``.
package struct SocketOption<Value>: Sendable {
    /// The `ZMQ_*` option number.
    package let code: Int32
    /// A name for error messages, e.g. `ZMQ_LINGER`.
    package let name: String
    let encode: @Sendable (Value) throws -> [UInt8]
    let decode: @Sendable ([UInt8]) -> Value
    /// Bytes to reserve when reading the option.
    let capacity: Int
}

// MARK: - Encodings

private func int32Bytes(_ v: Int32) -> [UInt8] { withUnsafeBytes(of: v) { Array($0) } }
private func int64Bytes(_ v: Int64) -> [UInt8] { withUnsafeBytes(of: v) { Array($0) } }
private func int32Value(_ b: [UInt8]) -> Int32 {
    b.count >= 4 ? b.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) } : 0
}
private func int64Value(_ b: [UInt8]) -> Int64 {
    b.count >= 8 ? b.withUnsafeBytes { $0.loadUnaligned(as: Int64.self) } : 0
}

/// Milliseconds for a libzmq timeout option; `nil` is libzmq's -1 ("forever").
private func milliseconds(_ d: Duration?) -> Int32 {
    guard let d else { return -1 }
    let (seconds, attoseconds) = d.components
    let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
    return Int32(clamping: max(0, ms))
}
private func duration(_ ms: Int32) -> Duration? { ms < 0 ? nil : .milliseconds(Int64(ms)) }

extension SocketOption where Value == Int32 {
    static func int32(_ code: Int32, _ name: String) -> Self {
        Self(code: code, name: name, encode: { int32Bytes($0) }, decode: int32Value, capacity: 4)
    }
    /// Outbound queue limit in messages (`ZMQ_SNDHWM`); 0 means unlimited.
    package static var sendHighWaterMark: Self { .int32(ZMQ_SNDHWM, "ZMQ_SNDHWM") }
    /// Inbound queue limit in messages (`ZMQ_RCVHWM`); 0 means unlimited.
    package static var receiveHighWaterMark: Self { .int32(ZMQ_RCVHWM, "ZMQ_RCVHWM") }
    /// `ZMQ_TCP_KEEPALIVE`: -1 OS default, 0 off, 1 on.
    package static var tcpKeepalive: Self { .int32(ZMQ_TCP_KEEPALIVE, "ZMQ_TCP_KEEPALIVE") }
    /// `ZMQ_TCP_KEEPALIVE_IDLE` in seconds; -1 OS default.
    package static var tcpKeepaliveIdle: Self { .int32(ZMQ_TCP_KEEPALIVE_IDLE, "ZMQ_TCP_KEEPALIVE_IDLE") }
    /// `ZMQ_EVENTS` (read only): ZMQ_POLLIN | ZMQ_POLLOUT bits.
    package static var events: Self { .int32(ZMQ_EVENTS, "ZMQ_EVENTS") }
}

extension SocketOption where Value == Int64 {
    /// Largest inbound message in bytes (`ZMQ_MAXMSGSIZE`); -1 means no limit.
    package static var maxMessageSize: Self {
        Self(
            code: ZMQ_MAXMSGSIZE, name: "ZMQ_MAXMSGSIZE", encode: { int64Bytes($0) },
            decode: int64Value, capacity: 8)
    }
}

extension SocketOption where Value == Bool {
    static func flag(_ code: Int32, _ name: String) -> Self {
        Self(
            code: code, name: name, encode: { int32Bytes($0 ? 1 : 0) }, decode: { int32Value($0) != 0 },
            capacity: 4)
    }
    /// `ZMQ_IMMEDIATE`: queue messages only to completed connections.
    package static var immediate: Self { .flag(ZMQ_IMMEDIATE, "ZMQ_IMMEDIATE") }
    /// `ZMQ_ROUTER_MANDATORY`: a ROUTER send to an unknown peer fails with EHOSTUNREACH.
    package static var routerMandatory: Self { .flag(ZMQ_ROUTER_MANDATORY, "ZMQ_ROUTER_MANDATORY") }
    /// `ZMQ_CURVE_SERVER`: this socket is the CURVE server (needs `curveSecretKey`).
    package static var curveServer: Self { .flag(ZMQ_CURVE_SERVER, "ZMQ_CURVE_SERVER") }
    /// `ZMQ_RCVMORE` (read only): more frames of the current message follow.
    package static var receiveMore: Self { .flag(ZMQ_RCVMORE, "ZMQ_RCVMORE") }
}

extension SocketOption where Value == Duration? {
    static func timeout(_ code: Int32, _ name: String) -> Self {
        Self(
            code: code, name: name, encode: { int32Bytes(milliseconds($0)) },
            decode: { duration(int32Value($0)) }, capacity: 4)
    }
    /// `ZMQ_LINGER`: how long close keeps queued messages; `nil` forever (libzmq's default).
    package static var linger: Self { .timeout(ZMQ_LINGER, "ZMQ_LINGER") }
    /// `ZMQ_SNDTIMEO`: a blocking send gives up after this; `nil` waits forever.
    package static var sendTimeout: Self { .timeout(ZMQ_SNDTIMEO, "ZMQ_SNDTIMEO") }
    /// `ZMQ_RCVTIMEO`: a blocking receive returns nil after this; `nil` waits forever.
    package static var receiveTimeout: Self { .timeout(ZMQ_RCVTIMEO, "ZMQ_RCVTIMEO") }
    /// `ZMQ_HEARTBEAT_IVL`: interval between ZMTP PINGs; `nil` or zero disables them.
    package static var heartbeatInterval: Self {
        Self(
            code: ZMQ_HEARTBEAT_IVL, name: "ZMQ_HEARTBEAT_IVL", encode: { int32Bytes(max(0, milliseconds($0))) },
            decode: { duration(int32Value($0)) }, capacity: 4)
    }
    /// `ZMQ_RECONNECT_IVL`: wait this long before reconnecting a lost connection (libzmq: 100 ms).
    package static var reconnectInterval: Self {
        Self(
            code: ZMQ_RECONNECT_IVL, name: "ZMQ_RECONNECT_IVL", encode: { int32Bytes(max(0, milliseconds($0))) },
            decode: { duration(int32Value($0)) }, capacity: 4)
    }
    /// `ZMQ_RECONNECT_IVL_MAX`: double the reconnect wait after each failed attempt, up to this
    /// (exponential backoff); `nil` or zero keeps the wait constant (libzmq's default).
    package static var reconnectIntervalMax: Self {
        Self(
            code: ZMQ_RECONNECT_IVL_MAX, name: "ZMQ_RECONNECT_IVL_MAX",
            encode: { int32Bytes(max(0, milliseconds($0))) }, decode: { duration(int32Value($0)) }, capacity: 4)
    }
    /// `ZMQ_HEARTBEAT_TIMEOUT`: a connection with no traffic for this long after a PING is closed.
    package static var heartbeatTimeout: Self {
        Self(
            code: ZMQ_HEARTBEAT_TIMEOUT, name: "ZMQ_HEARTBEAT_TIMEOUT",
            encode: { int32Bytes(max(0, milliseconds($0))) }, decode: { duration(int32Value($0)) }, capacity: 4)
    }
    /// `ZMQ_HEARTBEAT_TTL`: asks the peer to time us out after this long (rounded to 100 ms).
    package static var heartbeatTTL: Self {
        Self(
            code: ZMQ_HEARTBEAT_TTL, name: "ZMQ_HEARTBEAT_TTL",
            encode: { int32Bytes(max(0, milliseconds($0))) }, decode: { duration(int32Value($0)) }, capacity: 4)
    }
}

extension SocketOption where Value == [UInt8] {
    static func bytes(_ code: Int32, _ name: String, capacity: Int = 256) -> Self {
        Self(code: code, name: name, encode: { $0 }, decode: { $0 }, capacity: capacity)
    }
    /// `ZMQ_ROUTING_ID`: this socket's identity as seen by a ROUTER peer (1–255 bytes, not
    /// starting with a zero byte). Set before connect.
    package static var routingID: Self { .bytes(ZMQ_ROUTING_ID, "ZMQ_ROUTING_ID") }
    /// `ZMQ_SUBSCRIBE` (write only): deliver messages whose first frame starts with this prefix.
    package static var subscribe: Self { .bytes(ZMQ_SUBSCRIBE, "ZMQ_SUBSCRIBE") }
    /// `ZMQ_UNSUBSCRIBE` (write only).
    package static var unsubscribe: Self { .bytes(ZMQ_UNSUBSCRIBE, "ZMQ_UNSUBSCRIBE") }
}

extension SocketOption where Value == CurveKey {
    static func key(_ code: Int32, _ name: String) -> Self {
        Self(
            code: code, name: name, encode: { $0.bytes }, decode: { (try? CurveKey(bytes: $0)) ?? CurveKey.zero },
            capacity: 32)
    }
    /// `ZMQ_CURVE_PUBLICKEY`: this socket's long-term public key.
    package static var curvePublicKey: Self { .key(ZMQ_CURVE_PUBLICKEY, "ZMQ_CURVE_PUBLICKEY") }
    /// `ZMQ_CURVE_SECRETKEY`: this socket's long-term secret key.
    package static var curveSecretKey: Self { .key(ZMQ_CURVE_SECRETKEY, "ZMQ_CURVE_SECRETKEY") }
    /// `ZMQ_CURVE_SERVERKEY`: the server's public key (client side).
    package static var curveServerKey: Self { .key(ZMQ_CURVE_SERVERKEY, "ZMQ_CURVE_SERVERKEY") }
}
