import Foundation
import Prometheus

/// The server's Prometheus metrics (text exposition at `GET /metrics`). Names follow the
/// Prometheus conventions: base units, `_total` for counters, `_seconds` for durations.
/// Label values are bounded: a request for an unknown model is counted under `model=""`.
public final class ServerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .seconds(1),
    ]
    private static let rowBuckets: [Double] = [1, 2, 5, 10, 50, 100, 500, 1000, 10_000]

    public init() {}

    /// One inference request answered with `status`.
    func request(model: String, version: String, status: Int, duration: Duration, rows: Int?) {
        registry.makeCounter(descriptor: .init(metricName: "trainyard_inference_requests_total", unitName: "", helpText: "Inference requests by model, version and HTTP status"), labels: [("model", model), ("version", version), ("status", String(status))]).increment()
        guard status == 200 else { return }
        registry.makeDurationHistogram(descriptor: .init(metricName: "trainyard_inference_request_duration_seconds", unitName: "", helpText: "Time to answer an inference request, from body received to response"), labels: [("model", model)], buckets: Self.latencyBuckets).record(duration)
        if let rows {
            registry.makeValueHistogram(descriptor: .init(metricName: "trainyard_inference_rows", unitName: "", helpText: "Rows per inference request"), labels: [("model", model)], buckets: Self.rowBuckets).record(Double(rows))
        }
    }

    /// The loaded version of a model: 1 for the current one, 0 for one it replaced.
    func loaded(model: String, version: Int, current: Bool) {
        registry.makeGauge(descriptor: .init(metricName: "trainyard_model_loaded", unitName: "", helpText: "1 for the model version being served"), labels: [("model", model), ("version", String(version))]).set(Double(current ? 1 : 0))
    }

    /// A drift evaluation: PSI per feature, the drifted share and the alert state.
    func drift(_ state: DriftState) {
        let model = state.model.name, version = String(state.model.version)
        for column in state.report.columns {
            registry.makeGauge(descriptor: .init(metricName: "trainyard_drift_psi", unitName: "", helpText: "Population stability index of a feature over the recent window"), labels: [("model", model), ("version", version), ("feature", column.column)]).set(column.psi.isFinite ? column.psi : 0)
        }
        registry.makeGauge(descriptor: .init(metricName: "trainyard_drift_share", unitName: "", helpText: "Share of input features that drifted over the recent window"), labels: [("model", model), ("version", version)]).set(state.driftedShare)
        registry.makeGauge(descriptor: .init(metricName: "trainyard_drift_alert", unitName: "", helpText: "1 while the drift alert is raised"), labels: [("model", model), ("version", version)]).set(Double(state.alerting ? 1 : 0))
    }

    /// The text exposition format.
    public func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
