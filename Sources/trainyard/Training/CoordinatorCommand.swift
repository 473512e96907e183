import ArgumentParser
import Foundation
import TrainyardKit

/// `trainyard coordinator CONFIG --bind tcp://*:PORT`: the coordinator alone, for clusters.
struct CoordinatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Run the coordinator of a job; workers on other machines connect to it.",
        discussion: """
            Workers run `trainyard worker --connect tcp://THIS_HOST:PORT`; a worker without the \
            dataset version downloads it from the coordinator. Parameters are broadcast on PORT+1 \
            unless --broadcast-bind says otherwise.
            """
    )

    @Argument(help: "The job file (YAML).")
    var config: String

    @Option(name: .long, help: "Control endpoint to bind, e.g. tcp://*:5555.")
    var bind: String

    @Option(name: .long, help: "Broadcast endpoint to bind (default: the control port + 1).")
    var broadcastBind: String?

    @Option(name: .customLong("set"), help: "Override a config key (repeatable).")
    var overrides: [String] = []

    @OptionGroup var metrics: MetricsOptions

    @Flag(name: .long, help: "Print one JSON object when the run ends.")
    var json = false

    func run() throws {
        let (job, _) = try JobConfigLoader.load(path: config, overrides: overrides)
        let trap = SignalTrap()
        var session = TrainingSession(
            source: .config(job, origin: config), environment: .fromProcess(),
            controlBind: bind, broadcastBind: broadcastBind ?? TrainingSession.broadcastEndpoint(nextTo: bind),
            display: TerminalDisplay())
        session.stop = trap.stop
        session.metricsAddress = metrics.address
        let summary = try session.run(launch: { _, _, _, _ in }, afterRun: {})
        try TrainingOutput.print(summary, json: json)
    }
}
