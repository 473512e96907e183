import CZeroMQ

/// The classic ZeroMQ socket types.
package enum SocketType: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case pair = 0
    case publisher = 1
    case subscriber = 2
    case request = 3
    case reply = 4
    case dealer = 5
    case router = 6
    case pull = 7
    case push = 8

    package var description: String {
        switch self {
        case .pair: return "PAIR"
        case .publisher: return "PUB"
        case .subscriber: return "SUB"
        case .request: return "REQ"
        case .reply: return "REP"
        case .dealer: return "DEALER"
        case .router: return "ROUTER"
        case .pull: return "PULL"
        case .push: return "PUSH"
        }
    }
}

/// Options applied to every new socket, chosen so that nothing hangs or grows without bound.
///
/// libzmq's own defaults are an infinite linger (context termination can hang forever on an
/// unreachable peer) and a high-water mark of 1000 messages (with 16 MiB frames, 16 GB of queue).
package struct SocketDefaults: Sendable {
    /// How long `close` keeps trying to deliver queued messages. Default 1 s.
    package var linger: Duration? = .seconds(1)
    /// Send and receive high-water marks in messages. Default 64.
    package var highWaterMark: Int32 = 64
    /// Largest inbound message accepted, in bytes; larger ones drop the connection. Default 256 MiB.
    package var maxMessageSize: Int64 = 256 << 20

    package init() {}

    /// Trainyard's defaults.
    package static let standard = SocketDefaults()
    /// libzmq's own defaults (infinite linger, HWM 1000, no size limit), for comparison benchmarks.
    package static let libzmq: SocketDefaults = {
        var d = SocketDefaults()
        d.linger = nil
        d.highWaterMark = 1000
        d.maxMessageSize = -1
        return d
    }()
}
