import CZeroMQ

/// How a send behaves.
package struct SendFlags: OptionSet, Sendable {
    package let rawValue: Int32
    package init(rawValue: Int32) { self.rawValue = rawValue }
    /// More frames of the same message follow (`ZMQ_SNDMORE`).
    package static let more = SendFlags(rawValue: ZMQ_SNDMORE)
    /// Fail with EAGAIN instead of blocking (`ZMQ_DONTWAIT`).
    package static let dontWait = SendFlags(rawValue: ZMQ_DONTWAIT)
}

extension Socket {
    /// Sends one frame, copying `bytes` into libzmq.
    /// - Returns: false when the frame could not be queued now (`dontWait`, or the send timeout
    ///   passed); true when queued.
    /// - Throws: ``ZMQError`` for real failures (e.g. EHOSTUNREACH on a mandatory ROUTER).
    @discardableResult
    package func send(_ bytes: UnsafeRawBufferPointer, flags: SendFlags = []) throws -> Bool {
        let handle = try live("zmq_send")
        while true {
            if zmq_send(handle, bytes.baseAddress, bytes.count, flags.rawValue) >= 0 { return true }
            let error = ZMQError.last("zmq_send")
            if error.errno == czmq_eintr() { continue }
            if error.isAgain { return false }
            throw error
        }
    }

    /// Sends one frame from a byte array (copied).
    @discardableResult
    package func send(_ bytes: [UInt8], flags: SendFlags = []) throws -> Bool {
        try bytes.withUnsafeBytes { try send($0, flags: flags) }
    }

    /// Sends one frame holding the UTF-8 bytes of `text`.
    @discardableResult
    package func send(_ text: String, flags: SendFlags = []) throws -> Bool {
        try send(Array(text.utf8), flags: flags)
    }

    /// Sends a multipart message, all frames or (on failure before the first frame) none.
    @discardableResult
    package func send(multipart frames: [[UInt8]], flags: SendFlags = []) throws -> Bool {
        precondition(!frames.isEmpty, "a message has at least one frame")
        for (i, frame) in frames.enumerated() {
            let last = i == frames.count - 1
            let frameFlags = last ? flags.subtracting(.more) : flags.union(.more)
            // After the first frame is queued the rest always goes out atomically with it.
            if try !send(frame, flags: i == 0 ? frameFlags : frameFlags.subtracting(.dontWait)) {
                return false
            }
        }
        return true
    }

    /// Sends `bytes` without copying: libzmq reads them from the I/O thread and then releases
    /// `owner`, which this call retains until then. The memory must stay valid and unchanged
    /// while `owner` is alive.
    ///
    /// Use it for large tensor frames (≤ 16 MiB each: larger frames hit glibc's mmap threshold
    /// on receive and run several times slower).
    @discardableResult
    package func sendNoCopy(
        _ bytes: UnsafeRawBufferPointer, owner: AnyObject & Sendable,
        flags: SendFlags = []
    ) throws -> Bool {
        let handle = try live("zmq_msg_send")
        let message = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
        defer { message.deallocate() }
        let hint = Unmanaged.passRetained(owner as AnyObject).toOpaque()
        let data = UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(hint))
        guard zmq_msg_init_data(message, data, bytes.count, releaseZeroCopyOwner, hint) == 0 else {
            Unmanaged<AnyObject>.fromOpaque(hint).release()
            throw ZMQError.last("zmq_msg_init_data")
        }
        while true {
            if zmq_msg_send(message, handle, flags.rawValue) >= 0 { return true }
            let error = ZMQError.last("zmq_msg_send")
            if error.errno == czmq_eintr() { continue }
            zmq_msg_close(message)  // releases the owner through the callback
            if error.isAgain { return false }
            throw error
        }
    }
}

/// libzmq's free callback for zero-copy frames. A plain C function (not a closure literal, which
/// would be inferred actor-isolated and trap on libzmq's I/O thread); the owner travels in `hint`.
private func releaseZeroCopyOwner(_ data: UnsafeMutableRawPointer?, _ hint: UnsafeMutableRawPointer?) {
    guard let hint else { return }
    Unmanaged<AnyObject>.fromOpaque(hint).release()
}

/// A heap buffer that can be sent zero-copy: it is its own owner for ``Socket/sendNoCopy(_:owner:flags:)``.
///
/// Write into it before the first send, never after.
package final class SharedBuffer: @unchecked Sendable {
    /// The bytes; valid while the object lives.
    package let bytes: UnsafeMutableRawBufferPointer

    /// Allocates `count` bytes, 64-byte aligned, zero-filled.
    package init(count: Int) {
        bytes = .allocate(byteCount: count, alignment: 64)
        bytes.initializeMemory(as: UInt8.self, repeating: 0)
    }

    /// A copy of `array`'s bytes.
    package convenience init(copying array: [UInt8]) {
        self.init(count: array.count)
        array.withUnsafeBytes { bytes.copyMemory(from: $0) }
    }

    deinit { bytes.deallocate() }

    /// Sends `range` of this buffer zero-copy on `socket`.
    @discardableResult
    package func send(on socket: Socket, range: Range<Int>? = nil, flags: SendFlags = []) throws -> Bool {
        let r = range ?? 0..<bytes.count
        precondition(r.lowerBound >= 0 && r.upperBound <= bytes.count, "range outside the buffer")
        return try socket.sendNoCopy(UnsafeRawBufferPointer(rebasing: bytes[r]), owner: self, flags: flags)
    }
}
