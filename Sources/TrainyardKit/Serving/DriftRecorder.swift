import Foundation
import ModelServer
import TrackingStore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What happens with drift evaluations: alert transitions are printed, POSTed to the webhook and
/// recorded in the tracking store; other evaluations are recorded at most once a minute.
package final class DriftRecorder: @unchecked Sendable {
    package let store: TrackingStore
    package let webhook: URL?
    /// Where alert transitions and webhook failures are told (the CLI: standard error).
    package let report: @Sendable (String) -> Void
    private let lock = NSLock()
    private var lastRecorded: [String: Date] = [:]

    package init(store: TrackingStore, webhook: URL?, report: @escaping @Sendable (String) -> Void) {
        self.store = store
        self.webhook = webhook
        self.report = report
    }

    package func handle(_ state: DriftState, _ alert: DriftAlert?) {
        let key = "\(state.model.name)/\(state.model.version)"
        let due = lock.withLock { () -> Bool in
            guard alert != nil || Date().timeIntervalSince(lastRecorded[key] ?? .distantPast) >= 60 else {
                return false
            }
            lastRecorded[key] = Date()
            return true
        }
        if let alert {
            let columns = state.report.driftedColumns.joined(separator: ", ")
            report(
                alert.status == .firing
                    ? "drift alert: \(key): \(state.report.driftedColumns.count)/\(state.report.columns.count) features drifted (\(columns)) over the last \(state.report.rows) rows"
                    : "drift resolved: \(key): \(state.report.driftedColumns.count)/\(state.report.columns.count) features drifted now"
            )
            if let webhook { post(state.json(status: alert.status), to: webhook) }
        }
        guard due else { return }
        do {
            try store.recordDriftReport(
                model: state.model.name, version: state.model.version, rows: state.report.rows,
                driftedShare: state.driftedShare, alert: state.alerting, reportJSON: state.json())
        } catch {
            // A package directory served outside the registry has no model version to record against.
        }
    }

    private func post(_ json: String, to url: URL) {
        var request = URLRequest(url: url, timeoutInterval: 5)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(json.utf8)
        URLSession.shared.dataTask(with: request) { [report] _, response, error in
            if let error {
                report("warning: drift webhook \(url): \(error.localizedDescription)")
            } else if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                report("warning: drift webhook \(url) answered \(http.statusCode)")
            }
        }.resume()
    }
}
