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

    struct Row: Encodable {
        let name: String
        let created_at: Date
        let latest_version: Int?
        let version_count: Int
        let aliases: [String: Int]
    }

    func run() throws {
        let store = try TrackingAccess.open(.fromEnvironment())
        let models = try TrackingAccess.mapErrors { try store.models() }
        if output.json {
            try JSONOutput.print(
                models.map {
                    Row(
                        name: $0.name, created_at: $0.createdAt, latest_version: $0.latestVersion,
                        version_count: $0.versionCount, aliases: $0.aliases)
                })
            return
        }
        if models.isEmpty {
            print("no registered models")
            return
        }
        var table = TextTable(["NAME", "VERSIONS", "LATEST", "ALIASES", "CREATED"])
        for model in models {
            let aliases = model.aliases.sorted { $0.key < $1.key }.map { "\($0.key)→\($0.value)" }.joined(
                separator: ", ")
            table.add([
                model.name, String(model.versionCount), model.latestVersion.map(String.init) ?? "-",
                aliases.isEmpty ? "-" : aliases, TextFormat.time(model.createdAt),
            ])
        }
        print(table.render())
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

    struct Moved: Encodable {
        let model: String
        let alias: String
        let version: Int
        let previous_version: Int?
    }

    func run() throws {
        let store = try TrackingAccess.open(.fromEnvironment())
        let previous = try TrackingAccess.mapErrors {
            try store.setAlias(model: name, alias: alias, version: version, actor: actor ?? TrackingCLI.defaultActor)
        }
        if output.json {
            try JSONOutput.print(Moved(model: name, alias: alias, version: version, previous_version: previous))
        } else if previous == version {
            print("\(name)@\(alias) already points at version \(version)")
        } else {
            print("\(name)@\(alias) → version \(version)" + (previous.map { " (was \($0))" } ?? " (new alias)"))
        }
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

    struct RolledBack: Encodable {
        let model: String
        let alias: String
        let from_version: Int
        let version: Int
    }

    func run() throws {
        let store = try TrackingAccess.open(.fromEnvironment())
        let moved = try TrackingAccess.mapErrors {
            try store.rollback(model: name, alias: alias, actor: actor ?? TrackingCLI.defaultActor)
        }
        if output.json {
            try JSONOutput.print(RolledBack(model: name, alias: alias, from_version: moved.from, version: moved.to))
        } else {
            print("\(name)@\(alias) rolled back: version \(moved.from) → \(moved.to)")
        }
    }
}

/// `trainyard models history NAME`.
struct ModelsHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Every alias move of a model: when, who, from which version to which.")

    @Argument(help: "Model name.") var name: String
    @Option(help: "Only this alias.") var alias: String?
    @OptionGroup var output: OutputOptions

    struct Event: Encodable {
        let alias: String
        let action: String
        let version: Int
        let previous_version: Int?
        let actor: String
        let at: Date
    }

    func run() throws {
        let store = try TrackingAccess.open(.fromEnvironment())
        let events = try TrackingAccess.mapErrors { () -> [AliasEvent] in
            _ = try store.model(name)
            return try store.aliasHistory(name, alias: alias)
        }
        if output.json {
            try JSONOutput.print(
                events.map {
                    Event(
                        alias: $0.alias, action: $0.action.rawValue, version: $0.version,
                        previous_version: $0.previousVersion, actor: $0.actor, at: $0.at)
                })
            return
        }
        if events.isEmpty {
            print("no alias moves recorded for \(name)")
            return
        }
        var table = TextTable(["WHEN", "ALIAS", "ACTION", "FROM", "TO", "BY"])
        for event in events {
            table.add([
                TextFormat.time(event.at), event.alias, event.action.rawValue,
                event.previousVersion.map(String.init) ?? "-", String(event.version), event.actor,
            ])
        }
        print(table.render())
    }
}
