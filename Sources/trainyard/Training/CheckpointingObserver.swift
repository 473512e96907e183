import Crypto
import Foundation
import TrackingStore
import TrainingRuntime

/// Passes coordinator events to the progress reporter and queues a background checkpoint every
/// `every` steps; records each written checkpoint as a run artifact (kind `checkpoint`) and
/// warns about failed writes (training goes on; the previous checkpoints stay intact).
final class CheckpointingObserver: TrainingObserver {
    let reporter: ProgressReporter
    let writer: CheckpointWriter
    let every: Int
    let totalSteps: Int
    let store: TrackingStore
    let runID: String
    private var lastStep: Int?

    init(reporter: ProgressReporter, writer: CheckpointWriter, every: Int, totalSteps: Int, store: TrackingStore,
         runID: String) {
        self.reporter = reporter
        self.writer = writer
        self.every = every
        self.totalSteps = totalSteps
        self.store = store
        self.runID = runID
    }

    func stepCompleted(_ report: StepReport, state: TrainingSnapshot) {
        // The final state is checkpointed by the session once the loop ends. A local-SGD round
        // completes several steps at once: checkpoint when it crosses a multiple of `every`.
        let previous = lastStep ?? report.step - 1
        lastStep = report.step
        if report.step / every > previous / every && report.step < totalSteps { writer.save(state) }
        reporter.stepCompleted(report, state: state)
        recordResults()
    }

    func membershipChanged(_ event: Membership.Event) { reporter.membershipChanged(event) }

    func waiting(have: Int, need: Int) { reporter.waiting(have: have, need: need) }

    func stragglerDetected(_ report: StragglerReport) { reporter.stragglerDetected(report) }

    /// Records finished checkpoint writes.
    func recordResults() {
        for result in writer.takeResults() {
            switch result {
            case .written(let url, _, let bytes, _):
                guard let digest = Self.fileSHA256(url) else { continue }
                try? store.logArtifact(runID: runID, kind: "checkpoint",
                                       path: "artifacts/\(runID)/checkpoints/\(url.lastPathComponent)",
                                       digest: digest, size: Int64(bytes))
            case .failed(_, let step, let error):
                reporter.line("warning: checkpoint at step \(step) failed: \(error) (the previous checkpoints are intact)")
            }
        }
    }

    /// SHA-256 hex of a file, read in 8 MiB pieces.
    static func fileSHA256(_ url: URL) -> String? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try? handle.read(upToCount: 8 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
