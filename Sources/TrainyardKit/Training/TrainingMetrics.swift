import Foundation
import JobConfiguration
import Prometheus
import TrainingRuntime

/// The coordinator's Prometheus metrics (served with `--metrics-port`): steps, samples, step
/// time, loss, active workers against `cluster.min_workers`, membership events. Every series
/// carries the run id.
package final class TrainingMetrics: @unchecked Sendable {
    package let registry = PrometheusCollectorRegistry()
    private let labels: [(String, String)]
    private var lastStep = ContinuousClock.now
    private var workers = 0
    private static let stepBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(10),
    ]

    package init(runID: String, minWorkers: Int) {
        labels = [("run_id", runID)]
        registry.makeGauge(
            descriptor: .init(
                metricName: "trainyard_training_min_workers", unitName: "", helpText: "cluster.min_workers of the run"),
            labels: labels
        ).set(Double(minWorkers))
        registry.makeGauge(
            descriptor: .init(
                metricName: "trainyard_training_running", unitName: "", helpText: "1 while the coordinator trains"),
            labels: labels
        ).set(1.0)
        registry.makeGauge(
            descriptor: .init(
                metricName: "trainyard_training_active_workers", unitName: "", helpText: "Workers taking part"),
            labels: labels
        ).set(0.0)
        registry.makeCounter(
            descriptor: .init(
                metricName: "trainyard_training_steps_total", unitName: "", helpText: "Optimizer steps completed"),
            labels: labels
        ).increment(by: Int64(0))
    }

    package func step(_ report: StepReport) {
        let now = ContinuousClock.now
        registry.makeCounter(
            descriptor: .init(
                metricName: "trainyard_training_steps_total", unitName: "", helpText: "Optimizer steps completed"),
            labels: labels
        ).increment()
        registry.makeCounter(
            descriptor: .init(
                metricName: "trainyard_training_samples_total", unitName: "", helpText: "Training examples processed"),
            labels: labels
        )
        .increment(by: Int64(report.examples))
        registry.makeDurationHistogram(
            descriptor: .init(
                metricName: "trainyard_training_step_duration_seconds", unitName: "",
                helpText: "Wall time between completed steps"), labels: labels, buckets: Self.stepBuckets
        ).record(now - lastStep)
        lastStep = now
        registry.makeGauge(
            descriptor: .init(
                metricName: "trainyard_training_loss", unitName: "", helpText: "Mean training loss of the last step"),
            labels: labels
        )
        .set(report.meanLoss.isFinite ? report.meanLoss : .nan)
        registry.makeGauge(
            descriptor: .init(
                metricName: "trainyard_training_active_workers", unitName: "", helpText: "Workers taking part"),
            labels: labels
        )
        .set(Double(report.activeWorkers))
        workers = report.activeWorkers
    }

    package func membership(_ event: Membership.Event) {
        let kind: String
        switch event {
        case .joined: kind = "joined"; workers += 1
        case .left: kind = "left"; workers = max(0, workers - 1)
        }
        registry.makeCounter(
            descriptor: .init(
                metricName: "trainyard_training_membership_events_total", unitName: "",
                helpText: "Workers joining and leaving"), labels: labels + [("event", kind)]
        ).increment()
        registry.makeGauge(
            descriptor: .init(
                metricName: "trainyard_training_active_workers", unitName: "", helpText: "Workers taking part"),
            labels: labels
        )
        .set(Double(workers))
    }

    package func finished() {
        registry.makeGauge(
            descriptor: .init(
                metricName: "trainyard_training_running", unitName: "", helpText: "1 while the coordinator trains"),
            labels: labels
        ).set(0.0)
    }
}
