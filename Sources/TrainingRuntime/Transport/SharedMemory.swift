import Glibc
import GradientCore
import Synchronization
import TrainingProtocol

/// Why a shared-memory segment could not be created, opened or used.
package struct SharedMemoryError: Error, CustomStringConvertible, Sendable {
    package let description: String
    init(_ description: String) { self.description = description }

    static func system(_ what: String, _ path: String) -> SharedMemoryError {
        SharedMemoryError("\(what) \(path): \(String(cString: strerror(errno)))")
    }
}

/// A file mapped shared (`MAP_SHARED`) into this process: the memory both sides of a same-host
/// connection read and write. Unmapped when the object goes away.
final class SharedSegment: @unchecked Sendable {
    let path: String
    let base: UnsafeMutableRawPointer
    let size: Int

    private init(path: String, base: UnsafeMutableRawPointer, size: Int) {
        self.path = path
        self.base = base
        self.size = size
    }

    /// Creates `path` (which must not exist) with `size` zero bytes, all allocated now, and maps
    /// it. Allocating up front means a full tmpfs is an error here, never a SIGBUS on a later write.
    static func create(path: String, size: Int) throws(SharedMemoryError) -> SharedSegment {
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .system("cannot create", path) }
        defer { close(fd) }
        let status = posix_fallocate(fd, 0, off_t(size))
        guard status == 0 else {
            unlink(path)
            throw SharedMemoryError("cannot allocate \(size) bytes for \(path): \(String(cString: strerror(status)))")
        }
        return try map(fd: fd, path: path, size: size, unlinkOnFailure: true)
    }

    /// Maps the existing file `path`, whose size must be `expectedSize` when given.
    static func openExisting(path: String, expectedSize: Int? = nil) throws(SharedMemoryError) -> SharedSegment {
        let fd = Glibc.open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw .system("cannot open", path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system("cannot stat", path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw SharedMemoryError("\(path) is not a regular file") }
        guard info.st_uid == getuid() else { throw SharedMemoryError("\(path) belongs to another user") }
        let size = Int(info.st_size)
        guard size >= SharedLayout.headerBytes else { throw SharedMemoryError("\(path) is too small (\(size) bytes)") }
        if let expectedSize, size != expectedSize {
            throw SharedMemoryError("\(path) has \(size) bytes, expected \(expectedSize)")
        }
        return try map(fd: fd, path: path, size: size, unlinkOnFailure: false)
    }

    private static func map(fd: Int32, path: String, size: Int, unlinkOnFailure: Bool) throws(SharedMemoryError)
        -> SharedSegment
    {
        guard let base = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), base != MAP_FAILED else {
            let error = SharedMemoryError.system("cannot map", path)
            if unlinkOnFailure { unlink(path) }
            throw error
        }
        return SharedSegment(path: path, base: base, size: size)
    }

    /// Removes the file name; the mappings stay valid until every process unmaps them.
    func unlinkFile() { unlink(path) }

    deinit { munmap(base, size) }

    /// The 64-bit word at `offset` as an atomic (offsets are multiples of 8).
    func word(_ offset: Int) -> UnsafeMutablePointer<Atomic<UInt64>> {
        (base + offset).assumingMemoryBound(to: Atomic<UInt64>.self)
    }

    func floats(at offset: Int) -> UnsafeMutablePointer<Float> {
        (base + offset).assumingMemoryBound(to: Float.self)
    }
}

/// The byte layout of Trainyard's shared-memory segments (see `docs/PROTOCOL.md`, "Shared memory").
///
/// Every segment starts with a 4096-byte header page: magic (8 bytes) at 0, job id (16) at 8,
/// worker identity (16; zero in the parameter segment) at 24, parameter count (u64) at 40,
/// slot count (u64) at 48, attached flag (u64) at 56, then one 64-byte slot header per slot from
/// offset 128. Slot `i`'s Float32 values start at 4096 + i · stride, stride = the values' size
/// rounded up to 4096 bytes. Multi-byte fields are little-endian (both sides share one host).
enum SharedLayout {
    static let headerBytes = 4096
    static let parameterMagic: UInt64 = 0x3130_4D52_5048_5954  // "TYHPRM01"
    static let gradientMagic: UInt64 = 0x3130_4452_4748_5954  // "TYHGRD01"
    static let slotHeaderOffset = 128
    static let slotHeaderBytes = 64
    static var maxSlots: Int { (headerBytes - slotHeaderOffset) / slotHeaderBytes }

    static func stride(parameterCount: Int) -> Int { (parameterCount * 4 + 4095) / 4096 * 4096 }

    static func size(parameterCount: Int, slots: Int) -> Int {
        headerBytes + slots * stride(parameterCount: parameterCount)
    }

    static func slotHeader(_ slot: Int) -> Int { slotHeaderOffset + slot * slotHeaderBytes }

    static func gradientPath(directory: String, processID: UInt32, jobID: JobID, worker: WorkerIdentity) -> String {
        "\(directory)/trainyard-\(processID)-\(jobID)-\(worker)-gradients"
    }

    /// Removes `trainyard-<pid>-…` files in `directory` whose process no longer exists. Names
    /// carry the creating process's id for this; a live process's files are never touched.
    static func removeStale(in directory: String) {
        guard let dir = opendir(directory) else { return }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasPrefix("trainyard-"), name.hasSuffix("-parameters") || name.hasSuffix("-gradients") else {
                continue
            }
            let fields = name.split(separator: "-")
            guard fields.count > 2, let pid = Int32(fields[1]), pid > 0 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink("\(directory)/\(name)") }
        }
    }

    static func values(_ slot: Int, parameterCount: Int) -> Int {
        headerBytes + slot * stride(parameterCount: parameterCount)
    }

    static func writeHeader(
        _ segment: SharedSegment, magic: UInt64, jobID: JobID, worker: WorkerIdentity?,
        parameterCount: Int, slots: Int
    ) {
        let raw = segment.base
        raw.storeBytes(of: magic, toByteOffset: 0, as: UInt64.self)
        for (i, byte) in jobID.bytes.enumerated() { raw.storeBytes(of: byte, toByteOffset: 8 + i, as: UInt8.self) }
        for (i, byte) in (worker?.bytes ?? [UInt8](repeating: 0, count: 16)).enumerated() {
            raw.storeBytes(of: byte, toByteOffset: 24 + i, as: UInt8.self)
        }
        raw.storeBytes(of: UInt64(parameterCount), toByteOffset: 40, as: UInt64.self)
        raw.storeBytes(of: UInt64(slots), toByteOffset: 48, as: UInt64.self)
        atomicMemoryFence(ordering: .releasing)
    }

    /// Checks a mapped segment's header; returns why it does not match, or nil.
    static func mismatch(
        _ segment: SharedSegment, magic: UInt64, jobID: JobID, worker: WorkerIdentity?,
        parameterCount: Int, slots: Int
    ) -> String? {
        let raw = UnsafeRawPointer(segment.base)
        guard raw.load(fromByteOffset: 0, as: UInt64.self) == magic else {
            return "not a Trainyard segment of this kind"
        }
        let job = (0..<16).map { raw.load(fromByteOffset: 8 + $0, as: UInt8.self) }
        guard job == jobID.bytes else { return "made for another job" }
        let who = (0..<16).map { raw.load(fromByteOffset: 24 + $0, as: UInt8.self) }
        guard who == (worker?.bytes ?? [UInt8](repeating: 0, count: 16)) else { return "made by another worker" }
        let count = raw.load(fromByteOffset: 40, as: UInt64.self)
        guard count == UInt64(parameterCount) else {
            return "holds \(count) parameters, the model has \(parameterCount)"
        }
        let slotCount = raw.load(fromByteOffset: 48, as: UInt64.self)
        guard slotCount == UInt64(slots) else { return "has \(slotCount) slots, \(slots) were offered" }
        guard segment.size == size(parameterCount: parameterCount, slots: slots) else {
            return "has \(segment.size) bytes, expected \(size(parameterCount: parameterCount, slots: slots))"
        }
        return nil
    }
}
