import ArgumentParser
import Foundation
import TrainingRuntime
import TrainyardKit

/// `trainyard train CONFIG --workers N`: a coordinator here plus N local worker processes.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model with a coordinator and N local worker processes.",
        discussion: """
            Shows a progress line, records the run under TRAINYARD_HOME and prints a summary (or, \
            with --json, {run_id, status, metrics, final_params_sha256}). Ctrl-C stops the run \
            cleanly and marks it KILLED. Worker logs: TRAINYARD_HOME/artifacts/RUN/worker-N.log.
            """
    )

    @Argument(help: "The job file (YAML); see docs/CONFIG.md.")
    var config: String

    @Option(name: .long, help: "Number of local worker processes.")
    var workers: Int = 2

    @Option(name: .customLong("set"), help: "Override a config key: --set training.epochs=5 (repeatable).")
    var overrides: [String] = []

    @OptionGroup var metrics: MetricsOptions

    @Flag(name: .long, help: "Print one JSON object when the run ends.")
    var json = false

    func validate() throws {
        guard (1...256).contains(workers) else { throw ValidationError("--workers must be between 1 and 256") }
    }

    func run() throws {
        let (job, _) = try JobConfigLoader.load(path: config, overrides: overrides)
        try LocalTraining.run(.config(job, origin: config), workers: workers, metrics: metrics, json: json)
    }
}

/// A session with its workers as local processes: `train` and `resume`.
enum LocalTraining {
    static func run(_ source: JobSource, workers count: Int, metrics: MetricsOptions, json: Bool) throws {
        let trap = SignalTrap()
        var session = TrainingSession(
            source: source, environment: .fromProcess(), controlBind: "tcp://127.0.0.1:*",
            broadcastBind: nil, display: TerminalDisplay())
        session.stop = trap.stop
        session.metricsAddress = metrics.address
        session.localWorkers = count
        try TrainingOutput.print(try session.runWithLocalWorkers(), json: json)
    }
}

/// How `train`, `coordinator` and `resume` print their result (exit status 1 unless it finished).
enum TrainingOutput {
    static func print(_ summary: TrainingSummary, json: Bool) throws {
        if json { try JSONOutput.print(summary) } else { Swift.print(summary.text) }
        if summary.status != "FINISHED" { throw ExitCode(1) }
    }
}
