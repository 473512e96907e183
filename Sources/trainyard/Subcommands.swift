import ArgumentParser
import TrainyardKit

/// Every top-level subcommand, in the order `trainyard --help` lists them.
enum TrainyardSubcommands {
    static let all: [ParsableCommand.Type] = [
        DataCommand.self,
        TrainCommand.self,
        ResumeCommand.self,
        PredictCommand.self,
        ServeCommand.self,
        CoordinatorCommand.self,
        WorkerCommand.self,
        SweepCommand.self,
        ConfigCommand.self,
        RunsCommand.self,
        ModelsCommand.self,
        GCCommand.self,
        KeysCommand.self,
    ]
}
