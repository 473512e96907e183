import CZeroMQ

/// One received frame, held in libzmq's own buffer (no copy into Swift memory).
///
/// The `zmq_msg_t` lives at a fixed heap address for the object's lifetime (small messages are
/// stored inside the struct, so it must never be copied by value). Read it with
/// ``withUnsafeBytes(_:)`` or copy it out with ``bytes``.
package final class Frame {
    let raw: UnsafeMutablePointer<zmq_msg_t>
    /// True when more frames of the same multipart message follow this one.
    package internal(set) var hasMore = false

    init() {
        raw = .allocate(capacity: 1)
        zmq_msg_init(raw)
    }

    deinit {
        zmq_msg_close(raw)
        raw.deallocate()
    }

    /// Size in bytes.
    package var count: Int { zmq_msg_size(raw) }

    /// Calls `body` with a view of the frame's bytes, valid only inside the call.
    package func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: zmq_msg_data(raw), count: zmq_msg_size(raw)))
    }

    /// A copy of the bytes.
    package var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// The bytes decoded as UTF-8 (invalid sequences replaced).
    package var text: String { withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }
}

extension Socket {
    /// Receives one frame into a ``Frame`` without copying it.
    /// - Parameter dontWait: return nil at once when nothing is queued.
    /// - Returns: the frame, or nil when nothing arrived (EAGAIN: non-blocking, or the receive
    ///   timeout passed).
    /// - Throws: ``ZMQError`` on real failures (context terminated: `isTerminated`).
    package func receiveFrame(dontWait: Bool = false) throws -> Frame? {
        let handle = try live("zmq_msg_recv")
        let message = Frame()
        while true {
            if zmq_msg_recv(message.raw, handle, dontWait ? ZMQ_DONTWAIT : 0) >= 0 {
                message.hasMore = zmq_msg_more(message.raw) != 0
                return message
            }
            let error = ZMQError.last("zmq_msg_recv")
            if error.errno == czmq_eintr() { continue }
            if error.isAgain { return nil }
            throw error
        }
    }

    /// Receives every frame of the next message.
    /// - Returns: the frames, or nil when no message arrived in time. Once the first frame has
    ///   arrived, the rest are already queued (libzmq delivers messages atomically).
    package func receiveMultipart(dontWait: Bool = false) throws -> [Frame]? {
        guard let first = try receiveFrame(dontWait: dontWait) else { return nil }
        var frames = [first]
        while frames[frames.count - 1].hasMore {
            guard let next = try receiveFrame() else { break }
            frames.append(next)
        }
        return frames
    }

    /// Receives one frame directly into `buffer` (no message object).
    /// - Returns: the frame's full size (nil when nothing arrived in time).
    /// - Throws: ``ZMQUsageError/truncated(received:capacity:)`` when the frame was larger than
    ///   the buffer (the buffer then holds its first bytes).
    package func receive(into buffer: UnsafeMutableRawBufferPointer, dontWait: Bool = false) throws -> Int? {
        let handle = try live("zmq_recv")
        while true {
            let n = zmq_recv(handle, buffer.baseAddress, buffer.count, dontWait ? ZMQ_DONTWAIT : 0)
            if n >= 0 {
                if Int(n) > buffer.count {
                    throw ZMQUsageError.truncated(received: Int(n), capacity: buffer.count)
                }
                return Int(n)
            }
            let error = ZMQError.last("zmq_recv")
            if error.errno == czmq_eintr() { continue }
            if error.isAgain { return nil }
            throw error
        }
    }

    /// Receives one frame and copies it into a byte array.
    package func receiveBytes(dontWait: Bool = false) throws -> [UInt8]? {
        try receiveFrame(dontWait: dontWait)?.bytes
    }
}
