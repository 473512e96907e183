import Glibc
import GradientCore
import Synchronization
import TrainingProtocol

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
