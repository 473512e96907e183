import ArgumentParser

/// Every top-level subcommand, in the order `trainyard --help` lists them.
enum TrainyardSubcommands {
    static let all: [ParsableCommand.Type] = [
        ConfigCommand.self,
        KeysCommand.self,
    ]
}
