import Foundation
import Prometheus

/// The server's Prometheus metrics (text exposition at `GET /metrics`). Names follow the
/// Prometheus conventions: base units, `_total` for counters, `_seconds` for durations.
/// Label values are bounded: a request for an unknown model is counted under `model=""`.
package final class ServerMetrics: Sendable {
    package let registry = PrometheusCollectorRegistry()
    private static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .seconds(1),
    ]
    private static let rowBuckets: [Double] = [1, 2, 5, 10, 50, 100, 500, 1000, 10_000]

    package init() {}

    /// The per-request series of one served model version, looked up once: a registry lookup
    /// builds the label key and takes the registry's lock, which is too dear per request.
    final class RequestSeries: Sendable {
        let answered: Counter
        let duration: DurationHistogram
        let rows: ValueHistogram

        fileprivate init(_ metrics: ServerMetrics, model: String, version: String) {
            answered = metrics.requestCounter(model: model, version: version, status: 200)
            duration = metrics.registry.makeDurationHistogram(
                descriptor: ServerMetrics.durationName, labels: [("model", model)],
                buckets: ServerMetrics.latencyBuckets)
            rows = metrics.registry.makeValueHistogram(
                descriptor: ServerMetrics.rowsName, labels: [("model", model)], buckets: ServerMetrics.rowBuckets)
        }
    }

    private static var requestsName: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "trainyard_inference_requests_total", unitName: "",
            helpText: "Inference requests by model, version and HTTP status")
    }
    private static var durationName: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "trainyard_inference_request_duration_seconds", unitName: "",
            helpText: "Time to answer an inference request, from body received to response")
    }
    private static var rowsName: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "trainyard_inference_rows", unitName: "", helpText: "Rows per inference request")
    }

    private func requestCounter(model: String, version: String, status: Int) -> Counter {
        registry.makeCounter(
            descriptor: Self.requestsName, labels: [("model", model), ("version", version), ("status", String(status))])
    }

    /// The series of `model`, made on its first request and kept with it.
    func series(_ model: ServedModel) -> RequestSeries {
        model.metricSeries.get {
            RequestSeries(self, model: model.location.name, version: String(model.location.version))
        }
    }

    /// One inference request answered 200 by `model`: a counter and two histograms, no lookup.
    func answered(_ series: RequestSeries, duration: Duration, rows: Int) {
        series.answered.increment()
        series.duration.record(duration)
        series.rows.record(Double(rows))
    }

    /// One inference request answered with `status` (an error; 200 goes through ``answered(_:duration:rows:)``).
    func request(model: String, version: String, status: Int, duration: Duration, rows: Int?) {
        requestCounter(model: model, version: version, status: status).increment()
        guard status == 200 else { return }
        registry.makeDurationHistogram(
            descriptor: Self.durationName, labels: [("model", model)], buckets: Self.latencyBuckets
        ).record(duration)
        if let rows {
            registry.makeValueHistogram(descriptor: Self.rowsName, labels: [("model", model)], buckets: Self.rowBuckets)
                .record(Double(rows))
        }
    }

    /// The loaded version of a model: 1 for the current one, 0 for one it replaced.
    func loaded(model: String, version: Int, current: Bool) {
        registry.makeGauge(
            descriptor: .init(
                metricName: "trainyard_model_loaded", unitName: "", helpText: "1 for the model version being served"),
            labels: [("model", model), ("version", String(version))]
        ).set(Double(current ? 1 : 0))
    }

    /// A drift evaluation: PSI per feature, the drifted share and the alert state.
    func drift(_ state: DriftState) {
        let model = state.model.name, version = String(state.model.version)
        for column in state.report.columns {
            registry.makeGauge(
                descriptor: .init(
                    metricName: "trainyard_drift_psi", unitName: "",
                    helpText: "Population stability index of a feature over the recent window"),
                labels: [("model", model), ("version", version), ("feature", column.column)]
            ).set(column.psi.isFinite ? column.psi : 0)
        }
        registry.makeGauge(
            descriptor: .init(
                metricName: "trainyard_drift_share", unitName: "",
                helpText: "Share of input features that drifted over the recent window"),
            labels: [("model", model), ("version", version)]
        ).set(state.driftedShare)
        registry.makeGauge(
            descriptor: .init(
                metricName: "trainyard_drift_alert", unitName: "", helpText: "1 while the drift alert is raised"),
            labels: [("model", model), ("version", version)]
        ).set(Double(state.alerting ? 1 : 0))
    }

    /// The text exposition format.
    package func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}

/// A served model's ``ServerMetrics/RequestSeries``, made once under a lock.
final class SeriesSlot: @unchecked Sendable {
    private let lock = NSLock()
    private var series: ServerMetrics.RequestSeries?

    func get(_ make: () -> ServerMetrics.RequestSeries) -> ServerMetrics.RequestSeries {
        lock.withLock {
            if let series { return series }
            let made = make()
            series = made
            return made
        }
    }
}
