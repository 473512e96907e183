import CZeroMQ

/// Events a poller waits for or reports.
package struct PollEvents: OptionSet, Sendable, Hashable {
    package let rawValue: Int16
    package init(rawValue: Int16) { self.rawValue = rawValue }
    /// A message can be received without blocking.
    package static let readable = PollEvents(rawValue: Int16(ZMQ_POLLIN))
    /// A message can be sent without blocking.
    package static let writable = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
}

/// Waits on several sockets at once (`zmq_poll`).
///
/// Like its sockets, a poller belongs to one thread. Items are polled in the order added;
/// ``poll(timeout:)`` returns the indices that are ready.
package final class Poller {
    private var sockets: [Socket] = []
    private var items: [zmq_pollitem_t] = []

    package init() {}

    /// Adds `socket`, watching `events`; returns its index.
    @discardableResult
    package func add(_ socket: Socket, events: PollEvents = .readable) throws -> Int {
        var item = zmq_pollitem_t()
        item.socket = try socket.live("zmq_poll")
        item.fd = -1
        item.events = events.rawValue
        sockets.append(socket)
        items.append(item)
        return items.count - 1
    }

    /// Waits up to `timeout` (nil: forever) for any watched event.
    /// - Returns: for each ready socket, its index and the events it is ready for; empty on
    ///   timeout or when interrupted by a signal.
    package func poll(timeout: Duration?) throws -> [(index: Int, events: PollEvents)] {
        let ms: Int
        if let timeout {
            let (s, atto) = timeout.components
            ms = max(0, Int(s) * 1000 + Int(atto / 1_000_000_000_000_000))
        } else {
            ms = -1
        }
        for i in items.indices { items[i].revents = 0 }
        let rc = items.withUnsafeMutableBufferPointer { zmq_poll($0.baseAddress, Int32($0.count), ms) }
        if rc < 0 {
            let error = ZMQError.last("zmq_poll")
            if error.errno == czmq_eintr() { return [] }
            throw error
        }
        var ready: [(index: Int, events: PollEvents)] = []
        for (i, item) in items.enumerated() where item.revents != 0 {
            ready.append((i, PollEvents(rawValue: item.revents)))
        }
        return ready
    }

    /// The socket at `index`.
    package subscript(index: Int) -> Socket { sockets[index] }
}
