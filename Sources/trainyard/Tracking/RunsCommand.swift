import ArgumentParser
import TrainyardKit

/// `trainyard runs`: list, inspect, compare and delete tracked runs.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List, inspect, compare and delete tracked runs.",
        discussion: """
            RUN is a run id, a unique prefix of one (like git), or a unique run name.
            """,
        subcommands: [
            RunsListCommand.self, RunsShowCommand.self, RunsMetricsCommand.self, RunsCompareCommand.self,
            RunsDeleteCommand.self,
        ]
    )
}
