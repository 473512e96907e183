import ArgumentParser
import Foundation
import JobConfiguration
import TrainingRuntime
import TrainyardKit

/// `trainyard config check FILE`: validates a job file and prints it with every default filled in.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Validate job configuration files.",
        subcommands: [Check.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a job file and print the resolved configuration (defaults filled in).",
            discussion: "Exit status 2 names the first unknown key, missing key or wrong type."
        )

        @Argument(help: "The job file (YAML).")
        var file: String

        @Option(name: .customLong("set"), help: "Override a key: --set training.epochs=5 (repeatable).")
        var overrides: [String] = []

        @OptionGroup var output: OutputOptions

        func run() throws {
            let (config, _) = try JobConfigLoader.load(path: file, overrides: overrides)
            if output.json {
                try JSONOutput.print(config)
            } else {
                print(try config.resolvedTable())
                print("\(file): ok")
            }
        }
    }
}
