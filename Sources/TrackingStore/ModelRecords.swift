import Foundation

/// One registered version of a model: the package it points at and the run that made it.
package struct ModelVersionRecord: Codable, Sendable, Equatable {
    package var model: String
    /// Counts up from 1 per model.
    package var version: Int
    /// The run that produced the package (nil only if lineage was not recorded).
    package var sourceRunID: String?
    /// The model package, relative to `TRAINYARD_HOME`.
    package var packagePath: String
    /// SHA-256 hex of the package (its manifest or archive, as the packager defines).
    package var packageDigest: String
    package var createdAt: Date
    /// Aliases currently pointing at this version, sorted.
    package var aliases: [String]

    /// `models:/NAME/VERSION`.
    package var uri: String { "models:/\(model)/\(version)" }
}

/// A registered model with its current aliases.
package struct RegisteredModelRecord: Codable, Sendable, Equatable {
    package var name: String
    package var createdAt: Date
    /// Highest version number (nil before the first version is registered).
    package var latestVersion: Int?
    package var versionCount: Int
    /// Alias → version it points at.
    package var aliases: [String: Int]
}

/// One move of an alias, kept forever for audit and rollback.
package struct AliasEvent: Codable, Sendable, Equatable {
    /// "set" (`models alias`) or "rollback".
    package enum Action: String, Codable, Sendable { case set, rollback }

    package var model: String
    package var alias: String
    package var action: Action
    /// The version the alias pointed at after the move.
    package var version: Int
    /// The version before the move (nil when the alias was created).
    package var previousVersion: Int?
    /// Who moved it (user@host, as the caller reports it).
    package var actor: String
    package var at: Date
}
