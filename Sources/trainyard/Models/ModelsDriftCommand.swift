import ArgumentParser
import Foundation
import TrackingStore
import TrainyardKit

/// `trainyard models drift NAME`: the drift reports `trainyard serve` recorded.
struct ModelsDriftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract:
            "Drift reports recorded by trainyard serve for a model (alert transitions, and at most one a minute otherwise)."
    )

    @Argument(help: "Model name, or NAME/VERSION for one version.") var model: String
    @Option(name: .long, help: "Only the last N reports.") var last: Int = 20
    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        let version: Int
        let at: Date
        let rows: Int
        let drifted_share: Double
        let alert: Bool
        let report: JSONValue
    }

    func run() throws {
        let store = try TrackingAccess.open(.fromEnvironment())
        let reference = try TrackingAccess.mapErrors { try ModelReference(parsing: model) }
        var version: Int?
        if case .version(let v) = reference.selector, model.contains("/") { version = v }
        let reports = try TrackingAccess.mapErrors { try store.driftReports(model: reference.model, version: version) }
            .suffix(max(0, last))
        if output.json {
            try JSONOutput.print(
                reports.map {
                    Report(
                        version: $0.version, at: $0.at, rows: $0.rows, drifted_share: $0.driftedShare, alert: $0.alert,
                        report: (try? JSONDecoder().decode(JSONValue.self, from: Data($0.reportJSON.utf8))) ?? .null)
                })
            return
        }
        guard !reports.isEmpty else {
            print("no drift reports for \(model) (trainyard serve records them)")
            return
        }
        var table = TextTable(["WHEN", "VERSION", "ROWS", "DRIFTED", "ALERT", "DRIFTED FEATURES"])
        for r in reports {
            let columns =
                (try? JSONSerialization.jsonObject(with: Data(r.reportJSON.utf8)) as? [String: Any])?["drifted_columns"]
                as? [String] ?? []
            table.add([
                TextFormat.time(r.at), String(r.version), String(r.rows),
                String(format: "%.0f%%", r.driftedShare * 100),
                r.alert ? "yes" : "no", columns.joined(separator: ", "),
            ])
        }
        print(table.render())
    }
}
