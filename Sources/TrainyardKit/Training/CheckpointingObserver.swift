import Crypto
import Foundation
import HexText
import JobConfiguration
import TrackingStore
import TrainingRuntime

/// Passes coordinator events to the progress reporter (and the Prometheus metrics) and queues a
/// background checkpoint every `every` steps; records each written checkpoint as a run artifact (kind `checkpoint`) and
/// warns about failed writes (training goes on; the previous checkpoints stay intact).
package final class CheckpointingObserver: TrainingObserver {
    package let reporter: ProgressReporter
    package let writer: CheckpointWriter
    package let every: Int
    package let totalSteps: Int
    package let store: TrackingStore
    package let runID: String
    package let metrics: TrainingMetrics?
    /// Asked to stop the loop when training goes wrong.
    package let stop: StopFlag
    private var lastStep: Int?
    private var firstLoss: Double?
    /// Why the run failed (a non-finite or exploding loss), once it has.
    package private(set) var failure: String?
    /// The newest checkpoint written before the failure.
    package private(set) var lastGoodCheckpoint: URL?
    /// A loss this many times the first step's (and at least `explodingFloor`) counts as exploding.
    package static let explodingFactor = 1e4
    package static let explodingFloor = 1e3

    package init(
        reporter: ProgressReporter, writer: CheckpointWriter, every: Int, totalSteps: Int, store: TrackingStore,
        runID: String, metrics: TrainingMetrics?, stop: StopFlag
    ) {
        self.metrics = metrics
        self.stop = stop
        self.reporter = reporter
        self.writer = writer
        self.every = every
        self.totalSteps = totalSteps
        self.store = store
        self.runID = runID
    }

    package func stepCompleted(_ report: StepReport, state: TrainingSnapshot) {
        guard failure == nil else { return }
        if let why = anomaly(report) {
            // Keep the last good checkpoint: this state is not saved, and the loop stops.
            failure = "step \(report.step): \(why)"
            reporter.line("error: \(failure!); stopping the run")
            stop.request()
            return
        }
        // The final state is checkpointed by the session once the loop ends. A local-SGD round
        // completes several steps at once: checkpoint when it crosses a multiple of `every`.
        let previous = lastStep ?? report.step - 1
        lastStep = report.step
        if report.step / every > previous / every && report.step < totalSteps { writer.save(state) }
        reporter.stepCompleted(report, state: state)
        metrics?.step(report)
        recordResults()
    }

    package func membershipChanged(_ event: Membership.Event) {
        reporter.membershipChanged(event)
        metrics?.membership(event)
    }

    package func waiting(have: Int, need: Int) { reporter.waiting(have: have, need: need) }

    package func stragglerDetected(_ report: StragglerReport) { reporter.stragglerDetected(report) }

    /// A non-finite loss or gradient, or a loss that exploded against the first step's.
    private func anomaly(_ report: StepReport) -> String? {
        if !report.learningRate.isFinite { return "a non-finite gradient (the update was refused)" }
        guard report.meanLoss.isFinite else { return "the training loss is \(report.meanLoss)" }
        let first = firstLoss ?? report.meanLoss
        firstLoss = first
        if report.meanLoss > max(Self.explodingFloor, Self.explodingFactor * first) {
            return String(format: "the training loss exploded to %.4g (first step: %.4g)", report.meanLoss, first)
        }
        return nil
    }

    /// Records finished checkpoint writes.
    package func recordResults() {
        for result in writer.takeResults() {
            switch result {
            case .written(let url, _, let bytes, _):
                lastGoodCheckpoint = url
                guard let digest = Self.fileSHA256(url) else { continue }
                try? store.logArtifact(
                    runID: runID, kind: "checkpoint",
                    path: "artifacts/\(runID)/checkpoints/\(url.lastPathComponent)",
                    digest: digest, size: Int64(bytes))
            case .failed(_, let step, let error):
                reporter.line(
                    "warning: checkpoint at step \(step) failed: \(error) (the previous checkpoints are intact)")
            }
        }
    }

    /// SHA-256 hex of a file, read in 8 MiB pieces.
    package static func fileSHA256(_ url: URL) -> String? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try? handle.read(upToCount: 8 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return HexText.encode(hasher.finalize())
    }
}
