import ArgumentParser
import TrainyardKit

/// `trainyard data`: import, generate, list, show and validate dataset versions.
struct DataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Import, version, inspect and validate datasets.",
        discussion: """
            A dataset version is immutable and named by the SHA-256 digest of its content, shown as
            NAME@<first 12 hex digits>. Versions are stored under TRAINYARD_HOME/datasets and
            catalogued in the tracking database.
            """,
        subcommands: [
            DataAddCommand.self, DataGenerateCommand.self, DataListCommand.self, DataShowCommand.self,
            DataValidateCommand.self, DataExportCommand.self,
        ]
    )
}
