import Foundation
import TrackingStore

/// What `models list` reports: one row per registered model (its `--json` shape).
package struct ModelListing {
    /// A registered model, its version count and aliases.
    package struct Row: Encodable {
        package let name: String
        package let created_at: Date
        package let latest_version: Int?
        package let version_count: Int
        package let aliases: [String: Int]
    }

    package let rows: [Row]

    package init(_ models: [RegisteredModelRecord]) {
        rows = models.map {
            Row(
                name: $0.name, created_at: $0.createdAt, latest_version: $0.latestVersion,
                version_count: $0.versionCount, aliases: $0.aliases)
        }
    }

    /// The table `models list` prints, or a sentence when nothing is registered.
    package var text: String {
        if rows.isEmpty { return "no registered models" }
        var table = TextTable(["NAME", "VERSIONS", "LATEST", "ALIASES", "CREATED"])
        for model in rows {
            let aliases = ModelReport.aliasList(model.aliases)
            table.add([
                model.name, String(model.version_count), model.latest_version.map(String.init) ?? "-",
                aliases.isEmpty ? "-" : aliases.joined(separator: ", "), TextFormat.time(model.created_at),
            ])
        }
        return table.render()
    }
}

/// What `models alias` reports: the alias, the version it now names and the one before.
package struct AliasMoveReport: Encodable {
    package let model: String
    package let alias: String
    package let version: Int
    package let previous_version: Int?

    package init(model: String, alias: String, version: Int, previousVersion: Int?) {
        self.model = model
        self.alias = alias
        self.version = version
        previous_version = previousVersion
    }

    /// `NAME@ALIAS → version N (was M)`, or that nothing moved.
    package var text: String {
        if previous_version == version { return "\(model)@\(alias) already points at version \(version)" }
        return "\(model)@\(alias) → version \(version)" + (previous_version.map { " (was \($0))" } ?? " (new alias)")
    }
}

/// What `models rollback` reports: the alias and the versions it moved between.
package struct AliasRollbackReport: Encodable {
    package let model: String
    package let alias: String
    package let from_version: Int
    package let version: Int

    package init(model: String, alias: String, from: Int, to: Int) {
        self.model = model
        self.alias = alias
        from_version = from
        version = to
    }

    /// `NAME@ALIAS rolled back: version M → N`.
    package var text: String { "\(model)@\(alias) rolled back: version \(from_version) → \(version)" }
}

/// What `models history` reports: every recorded alias move of a model (its `--json` rows).
package struct AliasHistory {
    /// One move of an alias.
    package struct Event: Encodable {
        package let alias: String
        package let action: String
        package let version: Int
        package let previous_version: Int?
        package let actor: String
        package let at: Date
    }

    package let model: String
    package let events: [Event]

    package init(model: String, events: [AliasEvent]) {
        self.model = model
        self.events = events.map {
            Event(
                alias: $0.alias, action: $0.action.rawValue, version: $0.version,
                previous_version: $0.previousVersion, actor: $0.actor, at: $0.at)
        }
    }

    /// The table `models history` prints, or a sentence when no move was recorded.
    package var text: String {
        if events.isEmpty { return "no alias moves recorded for \(model)" }
        var table = TextTable(["WHEN", "ALIAS", "ACTION", "FROM", "TO", "BY"])
        for event in events {
            table.add([
                TextFormat.time(event.at), event.alias, event.action, event.previous_version.map(String.init) ?? "-",
                String(event.version), event.actor,
            ])
        }
        return table.render()
    }
}

/// What `models drift` reports: the drift reports `trainyard serve` recorded (its `--json` rows).
package struct DriftHistory {
    /// One recorded report, with its per-column detail as JSON.
    package struct Report: Encodable {
        package let version: Int
        package let at: Date
        package let rows: Int
        package let drifted_share: Double
        package let alert: Bool
        package let report: JSONValue
    }

    package let model: String
    package let reports: [Report]
    private let driftedColumns: [[String]]

    package init(model: String, reports: some Collection<DriftReportRecord>) {
        self.model = model
        self.reports = reports.map {
            Report(
                version: $0.version, at: $0.at, rows: $0.rows, drifted_share: $0.driftedShare, alert: $0.alert,
                report: (try? JSONDecoder().decode(JSONValue.self, from: Data($0.reportJSON.utf8))) ?? .null)
        }
        driftedColumns = reports.map {
            (try? JSONSerialization.jsonObject(with: Data($0.reportJSON.utf8)) as? [String: Any])?["drifted_columns"]
                as? [String] ?? []
        }
    }

    /// The table `models drift` prints, or a sentence when none was recorded.
    package var text: String {
        guard !reports.isEmpty else { return "no drift reports for \(model) (trainyard serve records them)" }
        var table = TextTable(["WHEN", "VERSION", "ROWS", "DRIFTED", "ALERT", "DRIFTED FEATURES"])
        for (r, columns) in zip(reports, driftedColumns) {
            table.add([
                TextFormat.time(r.at), String(r.version), String(r.rows),
                String(format: "%.0f%%", r.drifted_share * 100),
                r.alert ? "yes" : "no", columns.joined(separator: ", "),
            ])
        }
        return table.render()
    }
}
