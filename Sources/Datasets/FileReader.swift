import Foundation

/// A read-only file descriptor with `read`/`pread` wrappers that turn failures into
/// ``DatasetError/io(path:call:code:)``. Closed on deinit.
final class FileReader {
    let path: String
    let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw DatasetError.io(path: path, call: "open", code: errno) }
    }

    deinit { close(fd) }

    /// File size in bytes.
    func size() throws -> Int64 {
        var info = stat()
        if fstat(fd, &info) != 0 { throw DatasetError.io(path: path, call: "fstat", code: errno) }
        return Int64(info.st_size)
    }

    /// Reads up to `count` bytes into `into`; 0 at end of file. Retries on EINTR.
    func read(into: UnsafeMutableRawPointer, count: Int) throws -> Int {
        while true {
            let n = Foundation.read(fd, into, count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw DatasetError.io(path: path, call: "read", code: errno)
        }
    }

    /// Fills `count` bytes at `offset` exactly, or throws (a short file is corrupt).
    func readExactly(into: UnsafeMutableRawPointer, count: Int, offset: Int64) throws {
        var done = 0
        while done < count {
            let n = pread(fd, into + done, count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw DatasetError.io(path: path, call: "pread", code: errno)
            }
            if n == 0 {
                throw DatasetError.corruptVersion(
                    path: path,
                    detail: "file ends at \(offset + Int64(done)) "
                        + "but \(offset + Int64(count)) bytes were expected")
            }
            done += n
        }
    }
}

/// A write-only file created exclusively, written through a buffer, fsynced on `finish()`.
final class FileWriter {
    let path: String
    let fd: Int32
    private var buffer: UnsafeMutableRawPointer
    private let capacity: Int
    private var used = 0
    private(set) var bytesWritten: Int64 = 0

    init(path: String, bufferSize: Int = 1 << 22) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 { throw DatasetError.io(path: path, call: "open", code: errno) }
        capacity = bufferSize
        buffer = UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: 64)
    }

    deinit {
        buffer.deallocate()
        close(fd)
    }

    /// Appends `count` bytes.
    func write(_ bytes: UnsafeRawPointer, count: Int) throws {
        if used + count > capacity {
            try flush()
            if count >= capacity { try writeAll(bytes, count); return }
        }
        (buffer + used).copyMemory(from: bytes, byteCount: count)
        used += count
    }

    func write(_ data: [UInt8]) throws {
        try data.withUnsafeBytes { try write($0.baseAddress!, count: $0.count) }
    }

    /// Writes the buffered bytes to the file.
    func flush() throws {
        if used > 0 { try writeAll(buffer, used) }
        used = 0
    }

    /// Flushes and, with `sync` (the default), fsyncs. Scratch files that are deleted after use
    /// skip the fsync.
    func finish(sync: Bool = true) throws {
        try flush()
        if sync, fsync(fd) != 0 { throw DatasetError.io(path: path, call: "fsync", code: errno) }
    }

    private func writeAll(_ bytes: UnsafeRawPointer, _ count: Int) throws {
        var done = 0
        while done < count {
            let n = Foundation.write(fd, bytes + done, count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw DatasetError.io(path: path, call: "write", code: errno)
            }
            done += n
        }
        bytesWritten += Int64(count)
    }
}

/// Writes `data` to `url` atomically: a temporary file next to it, fsync, rename.
func writeFileAtomically(_ data: Data, to url: URL) throws {
    let temp = url.deletingLastPathComponent()
        .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max))")
    let writer = try FileWriter(path: temp.path, bufferSize: max(1, min(data.count, 1 << 20)))
    try data.withUnsafeBytes { raw in
        if raw.count > 0 { try writer.write(raw.baseAddress!, count: raw.count) }
    }
    try writer.finish()
    if rename(temp.path, url.path) != 0 {
        let code = errno
        unlink(temp.path)
        throw DatasetError.io(path: url.path, call: "rename", code: code)
    }
}

/// fsyncs a directory so that renames inside it are durable.
func syncDirectory(_ path: String) throws {
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if fd < 0 { throw DatasetError.io(path: path, call: "open", code: errno) }
    defer { close(fd) }
    if fsync(fd) != 0 { throw DatasetError.io(path: path, call: "fsync", code: errno) }
}
