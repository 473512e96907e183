import ArgumentParser
import Foundation
import TrainyardKit
import ZeroMQ

/// `trainyard keys generate`: CURVE key pairs for encrypted, authenticated cluster traffic.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage CURVE key pairs (for the authenticated cluster mode; nothing reads them yet).",
        subcommands: [Generate.self]
    )

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a CURVE key pair (Z85 text).",
            discussion: """
                Without --output the pair is printed. With --output PREFIX, PREFIX.key (secret, mode 0600) \
                and PREFIX.pub are written. Coordinator and workers do not take keys yet: their traffic \
                is plaintext ZeroMQ (docs/OPERATIONS.md, "Encryption").
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
