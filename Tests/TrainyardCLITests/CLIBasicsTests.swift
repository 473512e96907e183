import Foundation
import Testing
import TrainyardTestSupport

/// The command surface every other command builds on: help, version, exit statuses, keys.
@Suite struct CLIBasicsTests {
    @Test func versionAndHelp() throws {
        let home = try TemporaryDirectory("cli")
        defer { home.remove() }
        let version = try runTrainyard(["--version"], home: home)
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("0."))
        let help = try runTrainyard(["--help"], home: home)
        #expect(help.status == 0)
        #expect(help.stdout.contains("keys"))
        #expect(help.stdout.contains("TRAINYARD_HOME"))
    }

    @Test func unknownSubcommandIsBadUsage() throws {
        let home = try TemporaryDirectory("cli")
        defer { home.remove() }
        let result = try runTrainyard(["no-such-command"], home: home)
        #expect(result.status == 2)
        #expect(result.stderr.contains("no-such-command"))
    }

    @Test func keysGenerateWritesAPairAndRefusesToOverwrite() throws {
        let home = try TemporaryDirectory("cli")
        defer { home.remove() }
        let prefix = home.file("coordinator").path
        let first = try runTrainyard(["keys", "generate", "--output", prefix, "--json"], home: home)
        #expect(first.status == 0, "\(first.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: String]
        let publicKey = try String(contentsOfFile: prefix + ".pub", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(json?["public_key"] == publicKey)
        #expect(publicKey.utf8.count == 40)
        let attributes = try FileManager.default.attributesOfItem(atPath: prefix + ".key")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let second = try runTrainyard(["keys", "generate", "--output", prefix], home: home)
        #expect(second.status == 2)
        #expect(second.stderr.contains("already exists"))
    }
}
