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
        registry.makeCounter(name: "trainyard_inference_requests_total",
                             labels: [("model", model), ("version", version), ("status", String(status))],
                             help: "Inference requests by model, version and HTTP status").increment()
        guard status == 200 else { return }
        registry.makeDurationHistogram(name: "trainyard_inference_request_duration_seconds", labels: [("model", model)],
                                       buckets: Self.latencyBuckets,
                                       help: "Time to answer an inference request, from body received to response").record(duration)
        if let rows {
            registry.makeValueHistogram(name: "trainyard_inference_rows", labels: [("model", model)], buckets: Self.rowBuckets,
                                        help: "Rows per inference request").record(Double(rows))
        }
    }

    /// The loaded version of a model: 1 for the current one, 0 for one it replaced.
    func loaded(model: String, version: Int, current: Bool) {
        registry.makeGauge(name: "trainyard_model_loaded", labels: [("model", model), ("version", String(version))],
                           help: "1 for the model version being served").set(Double(current ? 1 : 0))
    }

    /// A drift evaluation: PSI per feature, the drifted share and the alert state.
    func drift(_ state: DriftState) {
        let model = state.model.name, version = String(state.model.version)
        for column in state.report.columns {
            registry.makeGauge(name: "trainyard_drift_psi",
                               labels: [("model", model), ("version", version), ("feature", column.column)],
                               help: "Population stability index of a feature over the recent window").set(column.psi.isFinite ? column.psi : 0)
        }
        registry.makeGauge(name: "trainyard_drift_share", labels: [("model", model), ("version", version)],
                           help: "Share of input features that drifted over the recent window").set(state.driftedShare)
        registry.makeGauge(name: "trainyard_drift_alert", labels: [("model", model), ("version", version)],
                           help: "1 while the drift alert is raised").set(Double(state.alerting ? 1 : 0))
    }

    /// The text exposition format.
    public func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
