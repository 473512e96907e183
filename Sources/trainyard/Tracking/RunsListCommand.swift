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
        let listing = RunListing(runs, query: query)
        if output.json { return try JSONOutput.print(listing.rows) }
        print(listing.text)
    }
}
