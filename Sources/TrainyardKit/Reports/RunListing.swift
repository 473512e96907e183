import Foundation
import TrackingStore

/// What `runs list` reports: the matching runs (its `--json` rows) and the metric columns its
/// table shows.
package struct RunListing {
    package let rows: [TrackingJSON.RunRow]
    /// The metrics named by the sort and filter first, then the most common others, at most four.
    package let metricColumns: [String]

    package init(_ runs: [RunSummary], query: RunQuery) {
        rows = runs.map(TrackingJSON.RunRow.init)
        metricColumns = Self.metricColumns(query: query, runs: runs)
    }

    /// The metrics named by the sort and filter first, then the most common others, at most four.
    private static func metricColumns(query: RunQuery, runs: [RunSummary]) -> [String] {
        var keys: [String] = []
        if case .metric(let key) = query.sort.field { keys.append(key) }
        for clause in query.filter?.clauses ?? [] {
            if case .metric(let key) = clause.field, !keys.contains(key) { keys.append(key) }
        }
        var counts: [String: Int] = [:]
        for run in runs { for key in run.metrics.keys { counts[key, default: 0] += 1 } }
        for (key, _) in counts.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) where !keys.contains(key) {
            keys.append(key)
        }
        return Array(keys.prefix(4))
    }

    /// The table `runs list` prints, or a sentence when no run matches.
    package var text: String {
        if rows.isEmpty { return "no runs match" }
        var table = TextTable(["ID", "EXPERIMENT", "NAME", "STATUS", "STARTED", "DURATION"] + metricColumns)
        for run in rows {
            table.add(
                [
                    run.id, run.experiment, run.name ?? "-", run.status, TextFormat.time(run.start_time),
                    TextFormat.duration(from: run.start_time, to: run.end_time),
                ] + metricColumns.map { TextFormat.number(run.metrics[$0]) })
        }
        return table.render()
    }
}
