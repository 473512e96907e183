import Foundation
import GRDB

/// A drift report recorded against a model version (by `trainyard serve`).
package struct DriftReportRecord: Sendable, Equatable {
    package var model: String
    package var version: Int
    package var at: Date
    /// Rows in the window the report was computed over.
    package var rows: Int
    /// Share of input columns that drifted.
    package var driftedShare: Double
    /// Whether the report raised (or kept) a drift alert.
    package var alert: Bool
    /// The per-column report as JSON.
    package var reportJSON: String
}

extension TrackingStore {
    /// Records a drift report against version `version` of model `name`.
    /// - Throws: `notFound` for an unknown model or version; `invalidArgument` for malformed JSON.
    package func recordDriftReport(
        model name: String, version: Int, rows: Int, driftedShare: Double, alert: Bool,
        reportJSON: String, at date: Date = Date()
    ) throws {
        guard (try? JSONSerialization.jsonObject(with: Data(reportJSON.utf8))) != nil else {
            throw TrackingError.invalidArgument(
                field: "drift report", value: String(reportJSON.prefix(60)), reason: "expected valid JSON")
        }
        try pool.write { db in
            let modelID = try ModelLookup.modelID(db, name)
            try ModelLookup.requireVersion(db, modelID: modelID, model: name, version: version)
            try db.execute(
                sql: """
                    INSERT INTO drift_report (model_id, version, at, rows, drifted_share, alert, report_json)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [modelID, version, date.timeIntervalSince1970, rows, driftedShare, alert, reportJSON])
        }
    }

    /// The drift reports of model `name` (all versions, or one), oldest first.
    package func driftReports(model name: String, version: Int? = nil) throws -> [DriftReportRecord] {
        try pool.read { db in
            let modelID = try ModelLookup.modelID(db, name)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT version, at, rows, drifted_share, alert, report_json FROM drift_report
                    WHERE model_id = ? AND (? IS NULL OR version = ?) ORDER BY id
                    """,
                arguments: [modelID, version, version])
            return rows.map {
                DriftReportRecord(
                    model: name, version: $0["version"], at: Date(timeIntervalSince1970: $0["at"]),
                    rows: $0["rows"], driftedShare: $0["drifted_share"], alert: $0["alert"],
                    reportJSON: $0["report_json"])
            }
        }
    }
}
