import TrainingProtocol
import ZeroMQ

/// A received protocol message, or why a received message was dropped.
public enum Received: Sendable {
    /// A valid message; `sender` is the ROUTER routing id (nil on DEALER/SUB sockets).
    case message(Envelope, sender: [UInt8]?)
    /// A message that failed validation: dropped, never trusted. `sender` names who sent it.
    case invalid(ProtocolError, sender: [UInt8]?, frames: Int)
}

/// Sends and receives ``Envelope``s on a ZeroMQ socket: the thin layer between the wire
/// protocol (pure values) and sockets.
///
/// Like the socket it wraps, it belongs to one thread.
public struct ProtocolSocket {
    public let socket: Socket
    /// Who decodes on this side and which job's messages are accepted.
    public var context: DecodingContext
    /// True for ROUTER sockets: the first frame of every message is the peer's routing id.
    let routed: Bool

    public init(_ socket: Socket, context: DecodingContext) {
        self.socket = socket
        self.context = context
        self.routed = socket.type == .router
    }

    /// Encodes and sends `envelope` (to `peer` on a ROUTER socket).
    /// - Returns: false when the message could not be queued (peer gone, or high-water mark with
    ///   `dontWait`).
    @discardableResult
    public func send(_ envelope: Envelope, to peer: [UInt8]? = nil, dontWait: Bool = false) throws -> Bool {
        let encoded = try envelope.encode()
        let base: SendFlags = dontWait ? [.dontWait] : []
        let total = encoded.frameCount
        if routed {
            guard let peer else { preconditionFailure("a ROUTER send needs the peer's routing id") }
            do {
                if try !socket.send(peer, flags: base.union(.more)) { return false }
            } catch let error as ZMQError where error.isHostUnreachable {
                return false
            }
        }
        for index in 0..<total {
            let flags: SendFlags = index < total - 1 ? [.more] : []
            // Once the first frame is queued the rest of the message always follows it.
            let frameFlags = (index == 0 && !routed) ? flags.union(base) : flags
            let queued = try encoded.withFrameBytes(at: index) { try socket.send($0, flags: frameFlags) }
            if !queued { return false }
        }
        return true
    }

    /// Receives the next message; nil when none arrived (non-blocking or timeout).
    public func receive(dontWait: Bool = false) throws -> Received? {
        guard let frames = try socket.receiveMultipart(dontWait: dontWait) else { return nil }
        var sender: [UInt8]?
        var body = frames[...]
        if routed {
            sender = frames.first?.bytes
            body = frames.dropFirst()
        }
        do {
            let envelope = try Envelope.decode(body.map(\.bytes), context: context)
            return .message(envelope, sender: sender)
        } catch {
            return .invalid(error, sender: sender, frames: body.count)
        }
    }
}
