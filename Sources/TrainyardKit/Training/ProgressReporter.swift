import Foundation
import GradientCore
import JobConfiguration
import TrackingStore
import TrainingRuntime

/// Observes the coordinator: shows progress, evaluates on the validation split, and records
/// metrics and membership events on the run.
package final class ProgressReporter: TrainingObserver {
    package let job: PreparedJob
    package let model: Model
    package let store: TrackingStore
    package let runID: String
    package let display: ProgressDisplay
    private let started = Date()
    private var lastPrint = Date.distantPast
    private var pending: [MetricPoint] = []
    package private(set) var lastMetrics: [String: Double] = [:]
    private var samples = 0
    private var workers = 0
    /// The step of the latest report (nil before the first one of this process).
    private var lastStep: Int?
    private var stragglerEvents = 0

    /// Periodic evaluations run here, off the coordinator's loop.
    private let evaluator: BackgroundEvaluator

    /// `computeThreads` is how many busy threads the job already puts on this host (local workers
    /// times their gradient threads; 0 when every worker is elsewhere). Periodic evaluations run
    /// on a thread of their own, at normal priority if that thread still gets a core, else at
    /// idle priority (see ``BackgroundEvaluator``). Measured on 2 cores: at normal priority a
    /// background evaluation doubled a 1-worker run's rate but slowed a 2-worker run by a third.
    package init(
        job: PreparedJob, model: Model, store: TrackingStore, runID: String, computeThreads: Int,
        display: ProgressDisplay, cores: Int = ProcessInfo.processInfo.activeProcessorCount
    ) {
        self.job = job
        self.model = model
        self.store = store
        self.runID = runID
        self.display = display
        evaluator = BackgroundEvaluator(
            model: model, features: job.validation.features, labels: job.validation.labels,
            idlePriority: computeThreads + 1 > cores)
    }

    package func stepCompleted(_ report: StepReport, state: TrainingSnapshot) {
        let parameters = state.parameters
        samples += report.examples
        let previous = lastStep ?? report.step - 1
        lastStep = report.step
        workers = report.activeWorkers
        record("train_loss", report.meanLoss, step: report.step)
        let every = job.config.training.evalEverySteps
        // A local-SGD round completes several steps: evaluate when it crosses a multiple of `every`.
        let evaluate = every.map { report.step / $0 > previous / $0 } ?? report.endsEpoch
        // Periodic evaluations run in the background while training goes on (their points are
        // recorded when they finish); the last step's is waited for.
        if report.step == job.totalSteps {
            evaluateNow(parameters, step: report.step)
        } else if evaluate {
            evaluator.start(parameters, step: report.step)
        }
        recordFinishedEvaluations(evaluator.takeFinished())
        if pending.count >= 512 || evaluate { flush(waitForEvaluations: false) }
        show(report, force: evaluate)
    }

    package func membershipChanged(_ event: Membership.Event) {
        let text: String
        switch event {
        case .joined(let who, let index): text = "worker \(index) joined (\(who))"
        case .left(let who, let index, let reason): text = "worker \(index) left (\(who)): \(reason)"
        }
        line(text)
        try? store.setTag(runID: runID, key: "event.\(Int(Date().timeIntervalSince1970 * 1000))", value: text)
    }

    /// Logs the straggler, records it as a run event and counts it in the metric `straggler_events`.
    package func stragglerDetected(_ report: StragglerReport) {
        stragglerEvents += 1
        var text =
            "worker \(report.index) is a straggler (\(report.worker)): "
            + String(format: "%.2fs on its share, median %.2fs", report.elapsed, report.median)
        if report.reassigned > 0 { text += "; \(report.reassigned) of its work units copied to other workers" }
        line(text)
        record("straggler_events", Double(stragglerEvents), step: lastStep ?? 0)
        try? store.setTag(runID: runID, key: "event.\(Int(Date().timeIntervalSince1970 * 1000))", value: text)
    }

    package func waiting(have: Int, need: Int) {
        line("waiting for workers: have \(have), need \(need) (cluster.min_workers)")
    }

    /// Validation metrics on `parameters`, now, after any background evaluation (so the metrics
    /// stay in step order); logged as val_loss and val_accuracy or val_rmse.
    package func evaluateNow(_ parameters: [Float], step: Int) {
        recordFinishedEvaluations(evaluator.waitForAll())
        record(evaluator.evaluate(parameters), step: step, at: Date())
    }

    /// Drops periodic evaluations still queued (a stopped run records what finished, not its backlog).
    package func discardQueuedEvaluations() {
        evaluator.discardQueued()
    }

    private func recordFinishedEvaluations(_ finished: [BackgroundEvaluator.Finished]) {
        for done in finished { record(done.evaluation, step: done.step, at: done.at) }
    }

    private func record(_ evaluation: Evaluation?, step: Int, at time: Date) {
        guard let evaluation else { return }
        record("val_loss", evaluation.loss, step: step, at: time)
        if let accuracy = evaluation.accuracy { record("val_accuracy", accuracy, step: step, at: time) }
        if let rmse = evaluation.rmse { record("val_rmse", rmse, step: step, at: time) }
        if let auc = evaluation.rocAUC { record("val_auc", auc, step: step, at: time) }
    }

    package func record(_ key: String, _ value: Double, step: Int, at time: Date = Date()) {
        lastMetrics[key] = value
        pending.append(MetricPoint(runID: runID, key: key, step: step, value: value, timestamp: time))
    }

    /// Writes pending metric points in one transaction; first waits for background evaluations
    /// unless told not to (callers that read ``lastMetrics`` next need them).
    package func flush(waitForEvaluations: Bool = true) {
        if waitForEvaluations { recordFinishedEvaluations(evaluator.waitForAll()) }
        guard !pending.isEmpty else { return }
        do {
            try store.logMetrics(pending)
            pending.removeAll()
        } catch {
            line("warning: could not record metrics: \(error)")
        }
    }

    private func show(_ report: StepReport, force: Bool) {
        let now = Date()
        guard
            force || now.timeIntervalSince(lastPrint) >= (display.isInteractive ? 0.2 : 5)
                || report.step == job.totalSteps
        else { return }
        lastPrint = now
        let elapsed = now.timeIntervalSince(started)
        let rate = Double(samples) / max(elapsed, 1e-9)
        let remaining = Double(job.totalSteps - report.step) * elapsed / Double(max(report.step, 1))
        var text = "epoch \(report.epoch + 1)/\(job.config.training.epochs)  step \(report.step)/\(job.totalSteps)"
        text += "  loss \(format(report.meanLoss))"
        if let acc = lastMetrics["val_accuracy"] { text += "  val_acc \(format(acc))" }
        if let rmse = lastMetrics["val_rmse"] { text += "  val_rmse \(format(rmse))" }
        text += "  \(Int(rate)) samples/s  workers \(workers)  ETA \(TextFormat.remaining(remaining))"
        display.status(text)
    }

    /// Shows an event or a warning.
    package func line(_ text: String) { display.line(text) }

    /// Records what is pending and ends the progress line.
    package func finish() {
        flush()
        display.endStatus()
    }

    private func format(_ v: Double) -> String { String(format: "%.4f", v) }
}
