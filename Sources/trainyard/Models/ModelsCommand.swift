import ArgumentParser
import Foundation
import TrackingStore
import TrainyardKit

/// `trainyard models`: the model registry (versions, aliases, their history, rollback).
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Registered models: versions, aliases, alias history and rollback.",
        discussion: "Models are named as NAME, NAME/VERSION, NAME@ALIAS or models:/NAME/VERSION, models:/NAME@ALIAS.",
        subcommands: [
            ModelsListCommand.self, ModelsShowCommand.self, ModelsAliasCommand.self, ModelsHistoryCommand.self,
            ModelsRollbackCommand.self, ModelsExportCommand.self, ModelsDriftCommand.self,
        ])
}

/// `trainyard models list`.
struct ModelsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List registered models.")

    @OptionGroup var output: OutputOptions

    func run() throws {
        let store = try TrackingAccess.open(.fromEnvironment())
        let listing = ModelListing(try TrackingAccess.mapErrors { try store.models() })
        if output.json { return try JSONOutput.print(listing.rows) }
        print(listing.text)
    }
}

/// `trainyard models alias NAME VERSION ALIAS`.
struct ModelsAliasCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alias", abstract: "Point an alias (production, staging, ...) at a version; the move is recorded.")

    @Argument(help: "Model name.") var name: String
    @Argument(help: "Version number.") var version: Int
    @Argument(help: "Alias name.") var alias: String
    @Option(help: "Who is moving the alias, for the history (default USER@host).") var actor: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        let store = try TrackingAccess.open(.fromEnvironment())
        let previous = try TrackingAccess.mapErrors {
            try store.setAlias(model: name, alias: alias, version: version, actor: actor ?? TrackingCLI.defaultActor)
        }
        let report = AliasMoveReport(model: name, alias: alias, version: version, previousVersion: previous)
        if output.json { return try JSONOutput.print(report) }
        print(report.text)
    }
}

/// `trainyard models rollback NAME ALIAS`.
struct ModelsRollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Move an alias back to the version it pointed at before its last move.")

    @Argument(help: "Model name.") var name: String
    @Argument(help: "Alias name.") var alias: String
    @Option(help: "Who is rolling back, for the history (default USER@host).") var actor: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        let store = try TrackingAccess.open(.fromEnvironment())
        let moved = try TrackingAccess.mapErrors {
            try store.rollback(model: name, alias: alias, actor: actor ?? TrackingCLI.defaultActor)
        }
        let report = AliasRollbackReport(model: name, alias: alias, from: moved.from, to: moved.to)
        if output.json { return try JSONOutput.print(report) }
        print(report.text)
    }
}

/// `trainyard models history NAME`.
struct ModelsHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Every alias move of a model: when, who, from which version to which.")

    @Argument(help: "Model name.") var name: String
    @Option(help: "Only this alias.") var alias: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        let store = try TrackingAccess.open(.fromEnvironment())
        let events = try TrackingAccess.mapErrors { () -> [AliasEvent] in
            _ = try store.model(name)
            return try store.aliasHistory(name, alias: alias)
        }
        let history = AliasHistory(model: name, events: events)
        if output.json { return try JSONOutput.print(history.events) }
        print(history.text)
    }
}
