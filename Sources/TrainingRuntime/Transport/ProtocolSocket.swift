import TrainingProtocol
import ZeroMQ

/// A received protocol message, or why a received message was dropped.
package enum Received: Sendable {
    /// A valid message; `sender` is the ROUTER routing id (nil on DEALER/SUB sockets).
    case message(Envelope, sender: [UInt8]?)
    /// A message that failed validation: dropped, never trusted. `sender` names who sent it.
    case invalid(ProtocolError, sender: [UInt8]?, frames: Int)
}

/// Sends and receives ``Envelope``s on a ZeroMQ socket: the thin layer between the wire
/// protocol (pure values) and sockets.
///
/// Like the socket it wraps, it belongs to one thread.
package struct ProtocolSocket {
    package let socket: Socket
    /// Who decodes on this side and which job's messages are accepted.
    package var context: DecodingContext
    /// True for ROUTER sockets: the first frame of every message is the peer's routing id.
    let routed: Bool

    package init(_ socket: Socket, context: DecodingContext) {
        self.socket = socket
        self.context = context
        self.routed = socket.type == .router
    }

    /// Encodes and sends `envelope` (to `peer` on a ROUTER socket).
    /// - Returns: false when the message could not be queued (peer gone, or high-water mark with
    ///   `dontWait`).
    @discardableResult
    package func send(_ envelope: Envelope, to peer: [UInt8]? = nil, dontWait: Bool = false) throws -> Bool {
        let encoded = try envelope.encode()
        let base: SendFlags = dontWait ? [.dontWait] : []
        if routed {
            guard let peer else { preconditionFailure("a ROUTER send needs the peer's routing id") }
            do {
                if try !socket.send(peer, flags: base.union(.more)) { return false }
            } catch let error as ZMQError where error.isHostUnreachable {
                return false
            }
        }
        return try Self.send(encoded, on: socket, firstFrameFlags: routed ? [] : base)
    }

    /// Sends `encoded`'s frames in order: the small leading frames copied, the Float32 payload
    /// frames zero-copy (libzmq reads them from the sender's array, which it keeps alive until sent).
    /// `firstFrameFlags` apply to the first frame only (e.g. `dontWait`); once it is queued the rest
    /// of the message always follows.
    /// - Returns: false when the first frame could not be queued.
    static func send(_ encoded: EncodedMessage, on socket: Socket, firstFrameFlags: SendFlags) throws -> Bool {
        let total = encoded.frameCount
        var index = 0
        func flags() -> SendFlags {
            let more: SendFlags = index < total - 1 ? [.more] : []
            return index == 0 ? more.union(firstFrameFlags) : more
        }
        for frame in encoded.leadingFrames {
            if try !socket.send(frame, flags: flags()) { return false }
            index += 1
        }
        var queued = true
        try encoded.payload?.forEachRetainedFrame { bytes, owner in
            guard queued else { return }
            queued = try socket.sendNoCopy(bytes, owner: owner, flags: flags())
            index += 1
        }
        return queued
    }

    /// Receives the next message; nil when none arrived (non-blocking or timeout).
    package func receive(dontWait: Bool = false) throws -> Received? {
        guard let frames = try socket.receiveMultipart(dontWait: dontWait) else { return nil }
        var sender: [UInt8]?
        var body = frames[...]
        if routed {
            sender = frames.first?.bytes
            body = frames.dropFirst()
        }
        do {
            // Payload frames stay in libzmq's buffers: decoding copies only headers and metadata.
            let envelope = try Envelope.decode(received: body.map(ZeroMQFrame.init), context: context)
            return .message(envelope, sender: sender)
        } catch {
            return .invalid(error, sender: sender, frames: body.count)
        }
    }
}

/// A received ZeroMQ frame as the wire protocol sees it: the bytes stay in libzmq's message buffer,
/// which lives as long as this object. The frame is never changed after it is received.
final class ZeroMQFrame: ReceivedFrame, @unchecked Sendable {
    let frame: Frame

    init(_ frame: Frame) { self.frame = frame }

    var count: Int { frame.count }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try frame.withUnsafeBytes(body)
    }
}
