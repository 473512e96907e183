import ArgumentParser
import Foundation
import TrackingStore
import TrainyardKit

/// `trainyard runs list`: runs matching a filter, sorted, as a table or JSON.
struct RunsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List runs, optionally filtered and sorted.",
        discussion: """
            Filter: comparisons joined with 'and', e.g.
              --filter 'metrics.val_accuracy > 0.9 and params.optimizer = "adam"'
            Fields: metrics.KEY (last value), params.KEY, tags.KEY, attributes.status|name|experiment|id.
            Operators: = != < <= > >=. A field alone tests that the key exists.
            Sort: a field, with a leading '-' for descending, e.g. --sort -metrics.val_accuracy.
            """
    )

    @Option(help: "Only runs of this experiment.")
    var experiment: String?

    @Option(help: "Only runs with this status (RUNNING, FINISHED, FAILED, KILLED, SCHEDULED).")
    var status: String?

    @Option(help: "Filter expression (see above).")
    var filter: String?

    @Option(parsing: .unconditional, help: "Sort key, '-' prefix for descending (default: newest first).")
    var sort: String?

    @Option(help: "Show at most N runs.")
    var limit: Int?

    @Option(help: "Only trials of this parent (sweep) run.")
    var parent: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be at least 0, got \(limit)") }
    }

    func run() throws {
        let store = try TrackingAccess.open(.fromEnvironment())
        let (query, runs) = try TrackingAccess.mapErrors { () -> (RunQuery, [RunSummary]) in
            let query = RunQuery(
                experiment: experiment, status: try status.map(RunStatus.init(parsing:)), parentRunID: parent,
                filter: try filter.map(RunFilter.init(parsing:)),
                sort: try sort.map(RunSort.init(parsing:)) ?? .newestFirst,
                limit: limit)
            return (query, try store.listRuns(query))
        }
        if output.json {
            try JSONOutput.print(runs.map(TrackingJSON.RunRow.init))
            return
        }
        if runs.isEmpty {
            print("no runs match")
            return
        }
        let metricKeys = Self.metricColumns(query: query, runs: runs)
        var table = TextTable(["ID", "EXPERIMENT", "NAME", "STATUS", "STARTED", "DURATION"] + metricKeys)
        for run in runs {
            table.add(
                [
                    run.id, run.experiment, run.name ?? "-", run.status.rawValue, TextFormat.time(run.startTime),
                    TextFormat.duration(from: run.startTime, to: run.endTime),
                ]
                    + metricKeys.map { TextFormat.number(run.metrics[$0]) })
        }
        print(table.render())
    }

    /// The metrics named by the sort and filter first, then the most common others, at most four.
    static func metricColumns(query: RunQuery, runs: [RunSummary]) -> [String] {
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
}
