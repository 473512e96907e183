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
            guard CurveKeyPair.isSupported else {
                throw WorkFailed("this libzmq was built without CURVE support")
            }
            let pair = try CurveKeyPair.generate()
            if let prefix = output {
                try writeKey(pair.secretKey.z85, to: prefix + ".key", mode: 0o600)
                try writeKey(pair.publicKey.z85, to: prefix + ".pub", mode: 0o644)
                if outputOptions.json {
                    try JSONOutput.print([
                        "public_key": pair.publicKey.z85, "secret_key_file": prefix + ".key",
                        "public_key_file": prefix + ".pub",
                    ])
                } else {
                    print("wrote \(prefix).key (secret) and \(prefix).pub (public: \(pair.publicKey.z85))")
                }
            } else if outputOptions.json {
                try JSONOutput.print(["public_key": pair.publicKey.z85, "secret_key": pair.secretKey.z85])
            } else {
                print("public-key: \(pair.publicKey.z85)")
                print("secret-key: \(pair.secretKey.z85)")
            }
        }

        private func writeKey(_ text: String, to path: String, mode: Int) throws {
            if FileManager.default.fileExists(atPath: path) {
                throw BadInput("\(path) already exists; refusing to overwrite a key")
            }
            let ok = FileManager.default.createFile(
                atPath: path, contents: Data((text + "\n").utf8), attributes: [.posixPermissions: mode])
            if !ok { throw WorkFailed("could not write \(path)") }
        }
    }
}
