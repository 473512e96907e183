import JobConfiguration
import TrainingRuntime

/// How a sweep runs a ``TrainingSession`` as one of its trials: the run's parent, the stop flag
/// the sweep's signal handling shares, and a callback after every epoch's validation.
package struct TrialHooks {
    /// The sweep run the trial's run belongs to.
    package let parentRunID: String
    /// Stops the session (the sweep was interrupted, or ``epochEnded`` asked for it).
    package let stop: StopFlag
    /// Called once the run id is known: a new run, or the trial's run being resumed.
    package let runOpened: (_ runID: String) -> Void
    /// Called after each epoch's validation metrics are recorded, with the 1-based epoch; true
    /// stops the run right there (the session checkpoints it, so it can be continued later).
    package let epochEnded: (_ epoch: Int, _ metrics: [String: Double]) -> Bool
}

/// Forwards coordinator events to the session's observer, then, at the end of each epoch, tells
/// the sweep the epoch's metrics and stops the run when the sweep says so.
package final class TrialObserver: TrainingObserver {
    package let inner: TrainingObserver
    package let reporter: ProgressReporter
    package let hooks: TrialHooks

    package init(inner: TrainingObserver, reporter: ProgressReporter, hooks: TrialHooks) {
        self.inner = inner
        self.reporter = reporter
        self.hooks = hooks
    }

    package func stepCompleted(_ report: StepReport, state: TrainingSnapshot) {
        inner.stepCompleted(report, state: state)
        guard report.endsEpoch else { return }
        // The reporter evaluates at the end of every epoch unless eval_every_steps says otherwise.
        if let every = reporter.job.config.training.evalEverySteps, report.step % every != 0,
            report.step != reporter.job.totalSteps
        {
            reporter.evaluateNow(state.parameters, step: report.step)
        }
        reporter.flush()
        if hooks.epochEnded(report.epoch + 1, reporter.lastMetrics) { hooks.stop.request() }
    }

    package func membershipChanged(_ event: Membership.Event) { inner.membershipChanged(event) }

    package func waiting(have: Int, need: Int) { inner.waiting(have: have, need: need) }

    package func stragglerDetected(_ report: StragglerReport) { inner.stragglerDetected(report) }
}
