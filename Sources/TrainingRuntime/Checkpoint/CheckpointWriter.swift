import Foundation
import GradientCore
import ModelPackage

/// Writes checkpoints on a background thread so training pauses only for what ``save(_:)``
/// costs the caller: retaining the arrays (Swift arrays are copy-on-write, so the trainer pays
/// one in-memory copy of the parameters and optimizer buffers the next time it updates them).
///
/// At most one checkpoint waits behind the one being written; a third `save` blocks until the
/// disk catches up, so memory stays bounded when checkpoints come faster than the disk takes
/// them. After each successful write the oldest files beyond `keep` are deleted. Results
/// (written or failed) are collected for the caller to record with ``takeResults()``.
package final class CheckpointWriter: @unchecked Sendable {
    /// The outcome of one checkpoint write.
    package enum Result: Sendable {
        case written(url: URL, step: Int, bytes: Int, seconds: Double)
        case failed(url: URL, step: Int, error: String)
    }

    package let directory: URL
    package let keep: Int
    private let identity: CheckpointIdentity
    private let schedule: BatchSchedule
    private let extra: [String: String]
    private let fault: WriteFault?
    private let queue = DispatchQueue(label: "trainyard.checkpoint")
    private let slots = DispatchSemaphore(value: 2)
    private let lock = NSLock()
    private var results: [Result] = []

    /// - Parameters:
    ///   - extra: more metadata for every file (run id, code revision).
    ///   - fault: an injected write failure, for tests.
    package init(
        directory: URL, keep: Int, identity: CheckpointIdentity, schedule: BatchSchedule,
        extra: [String: String], fault: WriteFault? = nil
    ) {
        self.directory = directory
        self.keep = max(1, keep)
        self.identity = identity
        self.schedule = schedule
        self.extra = extra
        self.fault = fault
    }

    /// Queues a checkpoint of `snapshot`; returns at once unless two are already pending.
    package func save(_ snapshot: TrainingSnapshot) {
        slots.wait()
        queue.async { [self] in
            defer { slots.signal() }
            let result = write(snapshot)
            lock.withLock { results.append(result) }
        }
    }

    /// Writes `snapshot` on the calling thread (after any queued writes) and returns the outcome.
    @discardableResult
    package func saveNow(_ snapshot: TrainingSnapshot) -> Result {
        waitUntilWritten()
        let result = write(snapshot)
        lock.withLock { results.append(result) }
        return result
    }

    /// Blocks until every queued checkpoint is on disk (or failed).
    package func waitUntilWritten() {
        queue.sync {}
    }

    /// The outcomes since the last call, oldest first.
    package func takeResults() -> [Result] {
        lock.withLock {
            defer { results.removeAll() }
            return results
        }
    }

    private func write(_ snapshot: TrainingSnapshot) -> Result {
        let url = directory.appendingPathComponent(CheckpointFormat.fileName(step: snapshot.completedSteps))
        let started = ContinuousClock.now
        do {
            let position = schedule.position(ofStep: snapshot.completedSteps)
            let (tensors, metadata) = try CheckpointFormat.contents(
                snapshot, identity: identity, epoch: position.0, batch: position.1,
                stepsPerEpoch: schedule.stepsPerEpoch,
                extra: extra.merging(
                    ["created_at": ISO8601DateFormatter().string(from: Date())]) { a, _ in a })
            let bytes = try SafetensorsWriter.write(tensors, metadata: metadata, to: url, fault: fault)
            prune()
            let d = ContinuousClock.now - started
            return .written(
                url: url, step: snapshot.completedSteps, bytes: bytes,
                seconds: Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
        } catch {
            return .failed(url: url, step: snapshot.completedSteps, error: "\(error)")
        }
    }

    /// Deletes all but the newest `keep` checkpoint files.
    private func prune() {
        for old in CheckpointFormat.files(in: directory).dropFirst(keep) {
            try? FileManager.default.removeItem(at: old)
        }
    }
}
