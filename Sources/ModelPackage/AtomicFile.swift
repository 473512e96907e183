import Foundation

/// An injected write failure for tests: the write fails with ENOSPC once `afterBytes` bytes
/// have gone to the file, as a full disk would.
package struct WriteFault: Sendable {
    package let afterBytes: Int
    package init(afterBytes: Int) { self.afterBytes = afterBytes }
}

/// Whole-file writes that never leave a half-written file behind.
package enum AtomicFile {
    /// Where ``write(to:fault:_:)`` sends bytes: straight to the temporary file's descriptor.
    /// ``overwrite(_:at:)`` patches bytes already written (a checksum in a header, say).
    package struct Sink {
        fileprivate let fd: Int32
        fileprivate let path: String
        fileprivate var written = 0
        fileprivate let fault: WriteFault?

        /// Writes all of `bytes` (in pieces of at most 64 MiB), retrying on EINTR.
        package mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
            var done = 0
            while done < bytes.count {
                var want = min(bytes.count - done, 64 << 20)
                if let fault {
                    if written >= fault.afterBytes { throw POSIXFailure(call: "write", path: path, code: ENOSPC) }
                    want = min(want, fault.afterBytes - written)
                }
                let n = Foundation.write(fd, bytes.baseAddress! + done, want)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw POSIXFailure(call: "write", path: path)
                }
                done += n
                written += n
            }
        }

        /// Replaces already written bytes at `offset` (must lie within what was written).
        package func overwrite(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
            precondition(offset >= 0 && offset + bytes.count <= written, "overwrite outside the written bytes")
            var done = 0
            while done < bytes.count {
                let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw POSIXFailure(call: "pwrite", path: path)
                }
                done += n
            }
        }
    }

    /// Writes `bytes` to a temporary file beside `url`, fsyncs it, renames it over `url`, and
    /// fsyncs the directory.
    package static func write(_ bytes: [UInt8], to url: URL, fault: WriteFault? = nil) throws {
        try write(to: url, fault: fault) { sink in try bytes.withUnsafeBytes { try sink.write($0) } }
    }

    /// Lets `body` write the content through a ``Sink`` into a temporary file beside `url`
    /// (created exclusively, mode 0644), then fsyncs, renames over `url` and fsyncs the
    /// directory. On any failure the temporary file is removed and `url` is untouched.
    /// - Returns: the bytes written.
    @discardableResult
    package static func write(to url: URL, fault: WriteFault? = nil, _ body: (inout Sink) throws -> Void) throws -> Int
    {
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXFailure(call: "open", path: temporary.path) }
        var sink = Sink(fd: fd, path: temporary.path, fault: fault)
        do {
            try body(&sink)
            guard fsync(fd) == 0 else { throw POSIXFailure(call: "fsync", path: temporary.path) }
        } catch {
            close(fd)
            unlink(temporary.path)
            throw error
        }
        close(fd)
        guard rename(temporary.path, url.path) == 0 else {
            let error = POSIXFailure(call: "rename", path: url.path)
            unlink(temporary.path)
            throw error
        }
        let dfd = open(directory.path, O_RDONLY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
        return sink.written
    }
}

/// A failed system call on a path.
package struct POSIXFailure: Error, CustomStringConvertible {
    package let call: String
    package let path: String
    package let code: Int32
    init(call: String, path: String, code: Int32 = errno) {
        self.call = call
        self.path = path
        self.code = code
    }
    package var description: String { "\(call) \(path): \(String(cString: strerror(code)))" }
}
