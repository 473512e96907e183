import ArgumentParser
import Foundation
import TrainyardKit
import ZeroMQ

/// `trainyard keys generate`: CURVE key pairs for encrypted, authenticated cluster traffic.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage CURVE keys for encrypted coordinator/worker traffic.",
        subcommands: [Generate.self]
    )

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a CURVE key pair (Z85 text).",
            discussion: """
                Without --output the pair is printed. With --output PREFIX, PREFIX.key (secret, mode 0600) \
                and PREFIX.pub are written. Give the coordinator the secret key and every worker the \
                coordinator's public key.
                """
        )

        @Option(name: .long, help: "Write PREFIX.key and PREFIX.pub instead of printing.")
        var output: String?

        @OptionGroup var outputOptions: OutputOptions

        func run() throws {
            let report = try CurveKeys.generate(writingTo: output)
            if outputOptions.json { return try JSONOutput.print(report) }
            print(report.text)
        }
    }
}
