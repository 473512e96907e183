import Foundation
import TrackingStore

/// Runs side by side (the `--json` shape of `runs compare`): attributes, params and the last
/// value of each metric by run id, and the keys whose values differ between the runs.
package struct RunComparison: Encodable {
    /// The run ids, in the order given.
    package let runs: [String]
    /// experiment, name, status, duration → run id → value.
    package let attributes: [String: [String: String]]
    package let params: [String: [String: String]]
    package let metrics: [String: [String: Double]]
    /// `attributes`, `params`, `metrics` → the sorted keys that differ (or are missing on a run).
    package let differences: [String: [String]]

    /// - Throws: ``BadInput`` when the same run is named twice.
    package init(_ records: [RunRecord]) throws {
        let ids = records.map(\.id)
        if Set(ids).count != ids.count { throw BadInput("the same run is named twice: \(ids.joined(separator: ", "))") }
        var attributes: [String: [String: String]] = [:]
        var params: [String: [String: String]] = [:]
        var metrics: [String: [String: Double]] = [:]
        for record in records {
            let values: [String: String] = [
                "experiment": record.experiment, "name": record.name ?? "-", "status": record.status.rawValue,
                "duration": TextFormat.duration(from: record.startTime, to: record.endTime),
            ]
            for (field, value) in values { attributes[field, default: [:]][record.id] = value }
            for (key, value) in record.params { params[key, default: [:]][record.id] = value }
            for metric in record.metrics { metrics[metric.key, default: [:]][record.id] = metric.last }
        }
        func differs<V: Equatable>(_ values: [String: V]) -> Bool {
            values.count != ids.count || Set(ids.map { id in values[id].map { "\($0)" } ?? "\u{0}" }).count > 1
        }
        runs = ids
        self.attributes = attributes
        self.params = params
        self.metrics = metrics
        differences = [
            "attributes": attributes.keys.filter { differs(attributes[$0]!) }.sorted(),
            "params": params.keys.filter { differs(params[$0]!) }.sorted(),
            "metrics": metrics.keys.filter { differs(metrics[$0]!) }.sorted(),
        ]
    }

}
