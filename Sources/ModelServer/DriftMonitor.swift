import Datasets
import Foundation
import ModelPackage

/// A drift evaluation of one model's recent inputs against its training reference.
package struct DriftState: Sendable {
    package var model: ModelLocation
    package var report: DriftReport
    /// Share of input columns that drifted (0…1).
    package var driftedShare: Double
    /// Whether the drift alert is raised.
    package var alerting: Bool
    package var at: Date
}

/// An alert transition: raised when drift crosses the alert share, cleared when it falls back.
package struct DriftAlert: Sendable {
    package enum Status: String, Sendable { case firing, resolved }
    package var status: Status
    package var state: DriftState
}

/// Keeps a sliding window of the rows a model was asked to score and compares each input column
/// with the package's training reference (PSI on the reference bins for every column, KS on the
/// reference sample for numeric ones), every `evaluateEvery` rows once `minimumRows` are in.
/// Recording a request's rows is a copy into a preallocated ring; the evaluation runs on a
/// snapshot of the window, off the request path (``InferenceServer`` hands it to a
/// ``DriftWorker``).
///
/// The alert has hysteresis: it is raised when the share of drifted columns reaches
/// `alertShare` and cleared only when it falls to `clearShare` or below, so it does not flap.
/// Memory is bounded by `windowRows` rows.
package final class DriftMonitor: @unchecked Sendable {
    package struct Settings: Sendable {
        package var windowRows = 1000
        package var minimumRows = 200
        package var evaluateEvery = 200
        package var alertShare = 0.3
        package var clearShare = 0.1
        package var thresholds = ValidationThresholds()
        package init() {}
    }

    let model: ModelLocation
    let reference: ReferenceStatistics
    let schema: InputSchema
    let settings: Settings
    private let width: Int
    /// Guards the ring and the alert state; signalled when an evaluation ends.
    private let lock = NSCondition()
    private var ring: [Float]
    private var filled = 0
    private var next = 0
    private var sinceEvaluation = 0
    private var evaluating = false
    private var alerting = false
    private var last: DriftState?

    init(model: ModelLocation, manifest: ModelManifest, settings: Settings) {
        self.model = model
        // The KS test sorts the reference sample on every evaluation; sorted once here, that sort
        // finds one run and costs O(n). NaNs are dropped as the test itself drops them.
        var reference = manifest.reference
        for c in reference.columns.indices {
            reference.columns[c].sample = reference.columns[c].sample.map { $0.filter { !$0.isNaN }.sorted() }
        }
        self.reference = reference
        schema = manifest.input
        self.settings = settings
        width = manifest.input.featureCount
        ring = [Float](repeating: 0, count: max(1, settings.windowRows) * width)
    }

    /// The latest evaluation, if there has been one.
    package var latest: DriftState? { lock.withLock { last } }

    /// Adds scored rows (encoded features, before transforms) to the window: a copy into the
    /// ring, O(rows × features). When an evaluation is due, returns a snapshot of the window
    /// for ``evaluate(_:)``, which the caller runs off the request path.
    func record(_ features: [Float], rows: Int) -> [Float]? {
        guard width > 0, rows > 0, settings.windowRows > 0 else { return nil }
        return lock.withLock {
            let skip = max(0, rows - settings.windowRows)
            features.withUnsafeBufferPointer { source in
                ring.withUnsafeMutableBufferPointer { ring in
                    for r in skip..<rows {
                        let destination = next * width
                        for f in 0..<width { ring[destination + f] = source[r * width + f] }
                        next = (next + 1) % settings.windowRows
                    }
                }
            }
            filled = min(settings.windowRows, filled + rows)
            sinceEvaluation += rows
            guard !evaluating, filled >= settings.minimumRows, sinceEvaluation >= settings.evaluateEvery else {
                return nil
            }
            evaluating = true
            sinceEvaluation = 0
            return Array(ring[0..<(filled * width)])
        }
    }

    /// Evaluates a snapshot from ``record(_:rows:)``: the drift state and any alert transition.
    func evaluate(_ window: [Float]) -> (DriftState, DriftAlert?) {
        evaluate(window, rows: window.count / width)
    }

    /// Evaluates the current window now (for `GET …/drift`), after any evaluation in flight, so
    /// that it covers every row scored before the call.
    func evaluateNow() -> DriftState? {
        let window: [Float]? = lock.withLock {
            while evaluating { lock.wait() }
            guard filled > 0 else { return nil }
            evaluating = true
            return Array(ring[0..<(filled * width)])
        }
        guard let window else { return latest }
        return evaluate(window, rows: window.count / width).0
    }

    private func evaluate(_ window: [Float], rows: Int) -> (DriftState, DriftAlert?) {
        let report = reference.compare(
            EncodedInput(features: window, rows: rows), schema: schema,
            thresholds: settings.thresholds)
        let share = report.columns.isEmpty ? 0 : Double(report.driftedColumns.count) / Double(report.columns.count)
        return lock.withLock {
            defer { lock.broadcast() }
            evaluating = false
            var transition: DriftAlert.Status?
            if !alerting && share >= settings.alertShare {
                alerting = true
                transition = .firing
            } else if alerting && share <= settings.clearShare {
                alerting = false
                transition = .resolved
            }
            let state = DriftState(model: model, report: report, driftedShare: share, alerting: alerting, at: Date())
            last = state
            return (state, transition.map { DriftAlert(status: $0, state: state) })
        }
    }
}

extension DriftState {
    /// The JSON of `GET /v2/models/{name}/drift`, of webhook alerts and of stored reports.
    package func json(status: DriftAlert.Status? = nil) -> String {
        var out = "{\"model\":\(InferenceCodec.quote(model.name)),\"version\":\(model.version)"
        if let status { out += ",\"status\":\"\(status.rawValue)\"" }
        out += ",\"window_rows\":\(report.rows),\"drifted_share\":\(driftedShare),\"alerting\":\(alerting)"
        out += ",\"evaluated_at\":\(InferenceCodec.quote(ISO8601DateFormatter().string(from: at)))"
        out += ",\"drifted_columns\":[" + report.driftedColumns.map(InferenceCodec.quote).joined(separator: ",") + "]"
        out +=
            ",\"columns\":["
            + report.columns.map { c in
                var entry =
                    "{\"column\":\(InferenceCodec.quote(c.column)),\"kind\":\"\(c.kind.rawValue)\",\"psi\":\(finite(c.psi))"
                entry += ",\"psi_level\":\"\(c.psiLevel)\",\"drifted\":\(c.drifted),\"out_of_range\":\(c.outOfRange)"
                if let ks = c.ksStatistic, let p = c.ksPValue {
                    entry += ",\"ks_statistic\":\(finite(ks)),\"ks_p_value\":\(finite(p))"
                }
                return entry + "}"
            }.joined(separator: ",") + "]}"
        return out
    }

    private func finite(_ v: Double) -> String { v.isFinite ? "\(v)" : "null" }
}
