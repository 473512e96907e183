import Foundation
import Prometheus
import TrainingRuntime

/// The coordinator's Prometheus metrics (served with `--metrics-port`): steps, samples, step
/// time, loss, active workers against `cluster.min_workers`, membership events. Every series
/// carries the run id.
final class TrainingMetrics: @unchecked Sendable {
    let registry = PrometheusCollectorRegistry()
    private let labels: [(String, String)]
    private var lastStep = ContinuousClock.now
    private var workers = 0
    private static let stepBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(10),
    ]

    init(runID: String, minWorkers: Int) {
        labels = [("run_id", runID)]
        registry.makeGauge(name: "trainyard_training_min_workers", labels: labels,
                           help: "cluster.min_workers of the run").set(Double(minWorkers))
        registry.makeGauge(name: "trainyard_training_running", labels: labels, help: "1 while the coordinator trains").set(1.0)
        registry.makeGauge(name: "trainyard_training_active_workers", labels: labels, help: "Workers taking part").set(0.0)
        registry.makeCounter(name: "trainyard_training_steps_total", labels: labels, help: "Optimizer steps completed").increment(by: Int64(0))
    }

    func step(_ report: SyncTrainer.StepReport) {
        let now = ContinuousClock.now
        registry.makeCounter(name: "trainyard_training_steps_total", labels: labels, help: "Optimizer steps completed").increment()
        registry.makeCounter(name: "trainyard_training_samples_total", labels: labels, help: "Training examples processed")
            .increment(by: Int64(report.examples))
        registry.makeDurationHistogram(name: "trainyard_training_step_duration_seconds", labels: labels, buckets: Self.stepBuckets,
                                       help: "Wall time between completed steps").record(now - lastStep)
        lastStep = now
        registry.makeGauge(name: "trainyard_training_loss", labels: labels, help: "Mean training loss of the last step")
            .set(report.meanLoss.isFinite ? report.meanLoss : .nan)
        registry.makeGauge(name: "trainyard_training_active_workers", labels: labels, help: "Workers taking part")
            .set(Double(report.activeWorkers))
        workers = report.activeWorkers
    }

    func membership(_ event: Membership.Event) {
        let kind: String
        switch event {
        case .joined: kind = "joined"; workers += 1
        case .left: kind = "left"; workers = max(0, workers - 1)
        }
        registry.makeCounter(name: "trainyard_training_membership_events_total", labels: labels + [("event", kind)],
                             help: "Workers joining and leaving").increment()
        registry.makeGauge(name: "trainyard_training_active_workers", labels: labels, help: "Workers taking part")
            .set(Double(workers))
    }

    func finished() {
        registry.makeGauge(name: "trainyard_training_running", labels: labels, help: "1 while the coordinator trains").set(0.0)
    }
}
