import ArgumentParser
import Foundation
import TrainyardKit

/// The `trainyard` command: the composition root of the platform.
///
/// It is the only place that reads configuration files and the environment; every subcommand
/// resolves its inputs and hands typed values to the library targets.
struct Trainyard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trainyard",
        abstract: "Distributed training, tracking and serving for classical ML models.",
        discussion: """
            State lives under TRAINYARD_HOME (default ./.trainyard).
            Exit status: 0 success, 1 the work failed, 2 bad usage or bad input.
            """,
        version: BuildInfo.versionString,
        subcommands: TrainyardSubcommands.all
    )
}

@main
enum TrainyardMain {
    static func main() async {
        do {
            var command = try Trainyard.parseAsRoot()
            if let serve = command as? ServeCommand { serve.prepareExecutor() }
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(status: report(error))
        }
    }

    /// Prints `error` the way its kind deserves and returns the exit status for it.
    static func report(_ error: Error) -> Int32 {
        switch error {
        case let error as BadInput:
            printError("error: \(error.description)")
            return ExitStatus.badInput
        case let error as WorkFailed:
            printError("error: \(error.description)")
            return ExitStatus.failure
        case let code as ExitCode:
            return code.rawValue
        default:
            let code = Trainyard.exitCode(for: error)
            let message = Trainyard.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                return ExitStatus.success
            }
            if !message.isEmpty { printError(message) }
            // Parse and validation errors from ArgumentParser are usage errors.
            if code == .validationFailure { return ExitStatus.badInput }
            return code == .failure ? ExitStatus.failure : code.rawValue
        }
    }

    static func exit(status: Int32) -> Never {
        Foundation.exit(status)
    }
}
