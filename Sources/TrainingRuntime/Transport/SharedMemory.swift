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

/// The coordinator's parameter segment: the two newest parameter versions, in slots `version % 2`,
/// each guarded by its version word (a sequence lock: 0 while being written).
///
/// The coordinator writes a version before it sends the work that needs it; a worker on the same
/// host copies it out instead of receiving the broadcast, and checks the version word again after
/// the copy (a version two steps newer may have overwritten the slot meanwhile: it then asks for
/// the parameters over the control channel).
package final class SharedParameters: @unchecked Sendable {
    let segment: SharedSegment
    package let parameterCount: Int
    package var path: String { segment.path }

    private init(segment: SharedSegment, parameterCount: Int) {
        self.segment = segment
        self.parameterCount = parameterCount
    }

    /// Creates the segment `directory/trainyard-<pid>-<job>-parameters` (coordinator), after
    /// removing segments left in `directory` by processes that no longer exist (killed with SIGKILL).
    package static func create(directory: String, jobID: JobID, parameterCount: Int) throws(SharedMemoryError)
        -> SharedParameters
    {
        SharedLayout.removeStale(in: directory)
        let path = "\(directory)/trainyard-\(getpid())-\(jobID)-parameters"
        let segment = try SharedSegment.create(
            path: path, size: SharedLayout.size(parameterCount: parameterCount, slots: 2))
        SharedLayout.writeHeader(
            segment, magic: SharedLayout.parameterMagic, jobID: jobID, worker: nil,
            parameterCount: parameterCount, slots: 2)
        return SharedParameters(segment: segment, parameterCount: parameterCount)
    }

    /// Maps a coordinator's segment and checks that it belongs to `jobID` and the model (worker).
    package static func open(path: String, jobID: JobID, parameterCount: Int) throws(SharedMemoryError)
        -> SharedParameters
    {
        let segment = try SharedSegment.openExisting(
            path: path, expectedSize: SharedLayout.size(parameterCount: parameterCount, slots: 2))
        if let why = SharedLayout.mismatch(
            segment, magic: SharedLayout.parameterMagic, jobID: jobID, worker: nil,
            parameterCount: parameterCount, slots: 2)
        {
            throw SharedMemoryError("\(path): \(why)")
        }
        return SharedParameters(segment: segment, parameterCount: parameterCount)
    }

    /// Removes the segment's name (coordinator, at the end of the job).
    package func remove() { segment.unlinkFile() }

    private func versionWord(_ slot: Int) -> UnsafeMutablePointer<Atomic<UInt64>> {
        segment.word(SharedLayout.slotHeader(slot))
    }

    /// Writes `values` as `version` (≥ 1) into slot `version % 2`, copying with up to `threads`
    /// threads when the model is large.
    package func write(version: UInt64, _ values: FloatPayload, threads: Int = 1) {
        precondition(values.count == parameterCount && version > 0, "SharedParameters.write: wrong size or version 0")
        let slot = Int(version % 2)
        versionWord(slot).pointee.store(0, ordering: .relaxed)
        atomicMemoryFence(ordering: .releasing)
        let destination = segment.floats(at: SharedLayout.values(slot, parameterCount: parameterCount))
        if values.isCarried, threads > 1 {
            values.toArray().withUnsafeBufferPointer { source in  // no copy: the payload holds an array
                ElementwiseSplit.run(count: parameterCount, threads: threads) { range in
                    (destination + range.lowerBound).update(
                        from: source.baseAddress! + range.lowerBound, count: range.count)
                }
            }
        } else {
            values.copy(into: UnsafeMutableBufferPointer(start: destination, count: parameterCount))
        }
        versionWord(slot).pointee.store(version, ordering: .releasing)
    }

    /// True when the segment holds `version` now.
    package func holds(version: UInt64) -> Bool {
        version > 0 && versionWord(Int(version % 2)).pointee.load(ordering: .acquiring) == version
    }

    /// Runs `body` on `version`'s values in place (no copy), or returns nil without a result when
    /// the segment did not hold that version before and after the call: the coordinator may have
    /// overwritten the slot meanwhile, so anything computed from it, an error included, is
    /// discarded. Errors `body` throws are rethrown only when the values were intact.
    package func withVersion<R>(_ version: UInt64, _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R? {
        guard holds(version: version) else { return nil }
        let values = UnsafeBufferPointer(
            start: segment.floats(at: SharedLayout.values(Int(version % 2), parameterCount: parameterCount)),
            count: parameterCount)
        func intact() -> Bool {
            atomicMemoryFence(ordering: .acquiring)
            return versionWord(Int(version % 2)).pointee.load(ordering: .relaxed) == version
        }
        do {
            let result = try body(values)
            return intact() ? result : nil
        } catch {
            if intact() { throw error }
            return nil
        }
    }

    /// A copy of `version`, or nil when the segment does not hold it (not written yet, or already
    /// overwritten by a newer version).
    package func read(version: UInt64) -> [Float]? {
        guard version > 0 else { return nil }
        let slot = Int(version % 2)
        guard versionWord(slot).pointee.load(ordering: .acquiring) == version else { return nil }
        let source = segment.floats(at: SharedLayout.values(slot, parameterCount: parameterCount))
        let copy = [Float](unsafeUninitializedCapacity: parameterCount) { buffer, initialized in
            buffer.baseAddress!.update(from: source, count: parameterCount)
            initialized = parameterCount
        }
        atomicMemoryFence(ordering: .acquiring)
        return versionWord(slot).pointee.load(ordering: .relaxed) == version ? copy : nil
    }
}

/// A worker's gradient segment: slots the worker writes gradient sums into, and the coordinator
/// reads in place. Slot header (64 bytes): sequence 0 (worker: the result's number, written last),
/// released 8 (coordinator: the sequence it is done with), step 16, parameterVersion 24,
/// firstMicroShard 32 (u32), microShardCount 36 (u32).
///
/// A slot is free when released == sequence; the worker writes only free slots and sends the
/// payload frames instead when none is free, so neither side ever waits for the other.
package final class SharedGradients: @unchecked Sendable {
    let segment: SharedSegment
    package let parameterCount: Int
    package let slotCount: Int
    private var sequence: UInt64 = 0
    /// Slots the worker is writing (reserved, not yet published).
    private var reserved: Set<Int> = []
    package var path: String { segment.path }

    private init(segment: SharedSegment, parameterCount: Int, slotCount: Int) {
        self.segment = segment
        self.parameterCount = parameterCount
        self.slotCount = slotCount
    }

    /// Creates `directory/trainyard-<pid>-<job>-<worker>-gradients` (worker).
    /// `processID` is the one the worker registers with (the coordinator expects it in the name).
    package static func create(
        directory: String, jobID: JobID, worker: WorkerIdentity, processID: UInt32, parameterCount: Int,
        slots: Int
    ) throws(SharedMemoryError) -> SharedGradients {
        precondition(
            (1...min(WireConstants.maxSharedSlots, SharedLayout.maxSlots)).contains(slots), "slot count out of range")
        let path = SharedLayout.gradientPath(directory: directory, processID: processID, jobID: jobID, worker: worker)
        let segment = try SharedSegment.create(
            path: path, size: SharedLayout.size(parameterCount: parameterCount, slots: slots))
        SharedLayout.writeHeader(
            segment, magic: SharedLayout.gradientMagic, jobID: jobID, worker: worker,
            parameterCount: parameterCount, slots: slots)
        return SharedGradients(segment: segment, parameterCount: parameterCount, slotCount: slots)
    }

    /// Maps a worker's offered segment after checking its path and header (coordinator). The file
    /// name is removed once mapped: both sides keep their mappings, nothing is left behind.
    /// `processID` is the one the worker registered with.
    package static func attach(
        _ offer: SharedMemoryOffer, directory: String, jobID: JobID, worker: WorkerIdentity,
        processID: UInt32, parameterCount: Int
    ) throws(SharedMemoryError) -> SharedGradients {
        let expected = SharedLayout.gradientPath(
            directory: directory, processID: processID, jobID: jobID, worker: worker)
        guard offer.path == expected else { throw SharedMemoryError("offered path \(offer.path) is not \(expected)") }
        let slots = Int(offer.slotCount)
        guard slots <= SharedLayout.maxSlots else {
            throw SharedMemoryError("\(slots) slots offered, at most \(SharedLayout.maxSlots)")
        }
        let segment = try SharedSegment.openExisting(
            path: offer.path, expectedSize: SharedLayout.size(parameterCount: parameterCount, slots: slots))
        if let why = SharedLayout.mismatch(
            segment, magic: SharedLayout.gradientMagic, jobID: jobID, worker: worker,
            parameterCount: parameterCount, slots: slots)
        {
            throw SharedMemoryError("\(offer.path): \(why)")
        }
        segment.unlinkFile()
        segment.word(56).pointee.store(1, ordering: .releasing)
        return SharedGradients(segment: segment, parameterCount: parameterCount, slotCount: slots)
    }

    /// True once the coordinator has attached the segment (worker).
    package var isAttached: Bool { segment.word(56).pointee.load(ordering: .acquiring) == 1 }

    /// Removes the file name (worker, when the coordinator never attached it).
    package func remove() { segment.unlinkFile() }

    private func header(_ slot: Int) -> Int { SharedLayout.slotHeader(slot) }

    /// Takes a free slot for the worker to write a sum into, with its memory; nil when every slot
    /// is in use (or the coordinator has not attached the segment): then send the payload frames.
    /// Follow with ``publish(_:step:parameterVersion:microShards:)`` or ``cancel(_:)``.
    package func reserve() -> (slot: Int, values: UnsafeMutableBufferPointer<Float>)? {
        guard isAttached else { return nil }
        for slot in 0..<slotCount where !reserved.contains(slot) {
            let h = header(slot)
            let written = segment.word(h).pointee.load(ordering: .relaxed)
            guard segment.word(h + 8).pointee.load(ordering: .acquiring) == written else { continue }
            reserved.insert(slot)
            return (
                slot,
                UnsafeMutableBufferPointer(
                    start: segment.floats(at: SharedLayout.values(slot, parameterCount: parameterCount)),
                    count: parameterCount)
            )
        }
        return nil
    }

    /// Hands a reserved slot, now holding the sum of `microShards`, to the coordinator: its step,
    /// version and leaves, then its new sequence number (release order).
    package func publish(_ slot: Int, step: UInt64, parameterVersion: UInt64, microShards: Range<Int>) {
        precondition(reserved.contains(slot), "publishing a slot that was not reserved")
        let h = header(slot)
        let raw = segment.base
        raw.storeBytes(of: step, toByteOffset: h + 16, as: UInt64.self)
        raw.storeBytes(of: parameterVersion, toByteOffset: h + 24, as: UInt64.self)
        raw.storeBytes(of: UInt32(microShards.lowerBound), toByteOffset: h + 32, as: UInt32.self)
        raw.storeBytes(of: UInt32(microShards.count), toByteOffset: h + 36, as: UInt32.self)
        sequence += 1
        segment.word(h).pointee.store(sequence, ordering: .releasing)
        reserved.remove(slot)
    }

    /// Gives back a reserved slot that was not published.
    package func cancel(_ slot: Int) { reserved.remove(slot) }

    /// Copies `sum` into a free slot and publishes it; returns the slot, or nil when there is none.
    package func write(_ sum: FloatPayload, step: UInt64, parameterVersion: UInt64, microShards: Range<Int>) -> Int? {
        guard sum.count == parameterCount, let (slot, values) = reserve() else { return nil }
        sum.copy(into: values)
        publish(slot, step: step, parameterVersion: parameterVersion, microShards: microShards)
        return slot
    }

    /// The sum a `gradientResult` names, resolved from its slot (coordinator): the slot is lent to
    /// the returned payload and released when the last copy of it goes away. Throws when the slot
    /// does not hold that result (the slot is released).
    package func resolve(_ result: GradientResult) throws(SharedMemoryError) -> FloatPayload {
        guard let slot = result.sharedSlot, slot < slotCount else {
            throw SharedMemoryError("slot \(result.sharedSlot.map(String.init) ?? "none") of \(slotCount)")
        }
        let h = header(slot)
        let sequence = segment.word(h).pointee.load(ordering: .acquiring)
        let raw = UnsafeRawPointer(segment.base)
        let step = raw.load(fromByteOffset: h + 16, as: UInt64.self)
        let version = raw.load(fromByteOffset: h + 24, as: UInt64.self)
        let first = Int(raw.load(fromByteOffset: h + 32, as: UInt32.self))
        let count = Int(raw.load(fromByteOffset: h + 36, as: UInt32.self))
        let lease = SlotLease(segment: segment, releaseWord: h + 8, sequence: sequence)
        guard sequence != segment.word(h + 8).pointee.load(ordering: .relaxed), step == result.step,
            version == result.parameterVersion, first..<(first + count) == result.microShards
        else {
            throw SharedMemoryError(
                "slot \(slot) holds step \(step) v\(version) micro-shards \(first)..<\(first + count), "
                    + "not step \(result.step) v\(result.parameterVersion) \(result.microShards)")
        }
        let offset = SharedLayout.values(slot, parameterCount: parameterCount)
        let frames: [any ReceivedFrame] = PayloadFraming.frameRanges(elementCount: parameterCount).map {
            SlotFrame(
                lease: lease,
                bytes: UnsafeRawBufferPointer(start: segment.base + offset + $0.lowerBound * 4, count: $0.count * 4))
        }
        do {
            return try FloatPayload(received: frames, count: parameterCount, kind: .gradientResult)
        } catch {
            throw SharedMemoryError("\(error)")
        }
    }
}

/// Marks a gradient slot released (its sequence number stored in the released word) when the last
/// payload frame reading it goes away.
final class SlotLease: @unchecked Sendable {
    let segment: SharedSegment
    let releaseWord: Int
    let sequence: UInt64

    init(segment: SharedSegment, releaseWord: Int, sequence: UInt64) {
        self.segment = segment
        self.releaseWord = releaseWord
        self.sequence = sequence
    }

    deinit { segment.word(releaseWord).pointee.store(sequence, ordering: .releasing) }
}

/// A payload frame that is a view of a gradient slot.
final class SlotFrame: ReceivedFrame, @unchecked Sendable {
    let lease: SlotLease
    let bytes: UnsafeRawBufferPointer

    init(lease: SlotLease, bytes: UnsafeRawBufferPointer) {
        self.lease = lease
        self.bytes = bytes
    }

    var count: Int { bytes.count }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { try body(bytes) }
}
