import Glibc
import GradientCore
import Synchronization
import TrainingProtocol

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
