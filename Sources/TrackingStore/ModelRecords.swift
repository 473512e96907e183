import Foundation

/// One registered version of a model: the package it points at and the run that made it.
public struct ModelVersionRecord: Codable, Sendable, Equatable {
    public var model: String
    /// Counts up from 1 per model.
    public var version: Int
    /// The run that produced the package (nil only if lineage was not recorded).
    public var sourceRunID: String?
    /// The model package, relative to `TRAINYARD_HOME`.
    public var packagePath: String
    /// SHA-256 hex of the package (its manifest or archive, as the packager defines).
    public var packageDigest: String
    public var createdAt: Date
    /// Aliases currently pointing at this version, sorted.
    public var aliases: [String]

    /// `models:/NAME/VERSION`.
    public var uri: String { "models:/\(model)/\(version)" }
}

/// A registered model with its current aliases.
public struct RegisteredModelRecord: Codable, Sendable, Equatable {
    public var name: String
    public var createdAt: Date
    /// Highest version number (nil before the first version is registered).
    public var latestVersion: Int?
    public var versionCount: Int
    /// Alias → version it points at.
    public var aliases: [String: Int]
}

/// One move of an alias, kept forever for audit and rollback.
public struct AliasEvent: Codable, Sendable, Equatable {
    /// "set" (`models alias`) or "rollback".
    public enum Action: String, Codable, Sendable { case set, rollback }

    public var model: String
    public var alias: String
    public var action: Action
    /// The version the alias pointed at after the move.
    public var version: Int
    /// The version before the move (nil when the alias was created).
    public var previousVersion: Int?
    /// Who moved it (user@host, as the caller reports it).
    public var actor: String
    public var at: Date
}
