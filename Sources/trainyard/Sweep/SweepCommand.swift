import ArgumentParser
import Foundation
import Sweeps
import TrackingStore
import TrainyardKit

/// `trainyard sweep`: hyperparameter sweeps (grid, random, ASHA) over a pool of local workers.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run, resume or inspect a hyperparameter sweep.",
        discussion: "The sweep file is described in docs/CONFIG.md (\"Sweeps\").",
        subcommands: [SweepRunCommand.self, SweepResumeCommand.self, SweepStatusCommand.self],
        defaultSubcommand: SweepRunCommand.self
    )
}

/// The options of running a sweep, new or resumed.
struct SweepRunOptions: ParsableArguments {
    @Option(name: .long, help: "Number of local worker processes, split between the trials that run at once.")
    var workers: Int = 2

    @Flag(name: .long, help: "Print one JSON object when the sweep ends.")
    var json = false

    func validate() throws {
        guard (1...256).contains(workers) else { throw ValidationError("--workers must be between 1 and 256") }
    }
}

/// `trainyard sweep SWEEP.yaml --workers N [--json]`.
struct SweepRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a sweep (the default: trainyard sweep SWEEP.yaml).",
        discussion: """
            Starts N local workers once and runs the trials on them, `parallel` at a time, each \
            a run whose parent is the sweep run. Shows a live leaderboard, then the final table \
            and the best trial (--json: {sweep_id, best_run_id, best_params, best_metric}). \
            Ctrl-C checkpoints the running trials; running the same command again (or \
            `trainyard sweep resume SWEEP_ID`) goes on with the same decisions.
            """
    )

    @Argument(help: "The sweep file (YAML).")
    var file: String

    @OptionGroup var options: SweepRunOptions

    func run() throws {
        let definition = try SweepDefinition.load(path: file)
        let environment = RunEnvironment.fromProcess()
        let data = try DataContext.open(home: environment.home)
        try definition.checkDatasets(data)
        let (sweepID, resumed) = try SweepSession.startOrContinue(definition, data: data, environment: environment)
        if resumed {
            printError("resuming sweep \(sweepID) (\(definition.name)), interrupted earlier")
        } else {
            printError(
                "sweep \(sweepID): \(definition.spec.algorithm.name), \(definition.parameters.count) trials, "
                    + "\(definition.spec.parallel) at a time on \(options.workers) workers")
        }
        try SweepSession(definition: definition, sweepID: sweepID, data: data, environment: environment)
            .runAndReport(options)
    }
}

/// `trainyard sweep resume SWEEP_ID`.
struct SweepResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue an interrupted sweep with the same decisions.",
        discussion: "Finished trials are kept; trials that were running continue from their checkpoints."
    )

    @Argument(help: "The sweep run: its id, a unique id prefix, or its name.")
    var sweep: String

    @OptionGroup var options: SweepRunOptions

    func run() throws {
        let environment = RunEnvironment.fromProcess()
        let data = try DataContext.open(home: environment.home)
        let (definition, sweepID) = try SweepSession.open(sweep, data: data)
        try SweepSession(definition: definition, sweepID: sweepID, data: data, environment: environment)
            .runAndReport(options)
    }
}

/// `trainyard sweep status SWEEP_ID [--json]`.
struct SweepStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a sweep's trials, rungs and best trial.",
        discussion: "`trainyard runs list --parent SWEEP_ID` lists the trials' runs."
    )

    @Argument(help: "The sweep run: its id, a unique id prefix, or its name.")
    var sweep: String

    @OptionGroup var output: OutputOptions

    func run() throws {
        let data = try DataContext.open(home: .fromEnvironment())
        let (definition, sweepID) = try SweepSession.open(sweep, data: data)
        let directory = data.home.artifacts.appendingPathComponent(sweepID, isDirectory: true)
        let state = try SweepState.load(from: directory) ?? SweepState(sweepID: sweepID, definition: definition)
        if output.json {
            try JSONOutput.print(SweepStatusJSON(state, definition: definition))
        } else {
            print(state.statusText(keys: definition.spec.search.dimensions.map(\.key)))
        }
    }
}

extension SweepSession {
    /// Runs the sweep with the terminal leaderboard and Ctrl-C handling, then prints the result
    /// (the final table and the best trial, or with --json the contract's object).
    func runAndReport(_ options: SweepRunOptions) throws {
        let trap = SignalTrap()
        let board = SweepLeaderboard(keys: definition.spec.search.dimensions.map(\.key))
        let state = try run(workers: options.workers, stop: trap.stop, progress: board)
        if state.status == .interrupted {
            printError("sweep \(sweepID) interrupted; continue it with: trainyard sweep resume \(sweepID)")
            throw ExitCode(1)
        }
        if options.json {
            try JSONOutput.print(SweepResultJSON(state))
            return
        }
        print(state.resultText(keys: definition.spec.search.dimensions.map(\.key)))
    }
}
