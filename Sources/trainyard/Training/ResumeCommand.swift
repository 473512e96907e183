import ArgumentParser
import Foundation
import TrainyardKit

/// `trainyard resume RUN [--workers N]`: continue a run from its newest valid checkpoint.
struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue a run from its newest valid checkpoint.",
        discussion: """
            Uses the run's recorded config and dataset version. A truncated or corrupt newest \
            checkpoint is skipped with a warning naming it, and the one before is used. The \
            resumed run ends with bitwise the same parameters as an uninterrupted run, with any \
            worker count. A checkpoint of another architecture, optimizer or dataset is refused; \
            --force accepts one written with a different config, and a run whose coordinator \
            still seems alive.
            """
    )

    @Argument(help: "The run: its id, a unique id prefix, or its name.")
    var runReference: String

    @Option(name: .long, help: "Number of local worker processes.")
    var workers: Int = 2

    @Flag(name: .long, help: "Accept a checkpoint written with a different config (same model and data).")
    var force = false

    @OptionGroup var metrics: MetricsOptions

    @Flag(name: .long, help: "Print one JSON object when the run ends (as train --json).")
    var json = false

    func validate() throws {
        guard (1...256).contains(workers) else { throw ValidationError("--workers must be between 1 and 256") }
    }

    func run() throws {
        try LocalTraining.run(.resume(run: runReference, force: force), workers: workers, metrics: metrics, json: json)
    }
}
