import Foundation
import JobConfiguration
import TrainingRuntime
import TrainyardKit

/// Reads a job file, applies `--set` overrides and validates the result.
enum JobConfigLoader {
    /// - Throws: ``BadInput`` naming the file and the key (unknown keys, wrong types, missing
    ///   required keys, bad overrides).
    static func load(path: String, overrides: [String]) throws -> (config: JobConfig, document: ConfigValue) {
        var document = try YAMLDocument.load(path: path)
        for assignment in overrides {
            let (key, value) = try YAMLDocument.parseOverride(assignment)
            do {
                try document.set(value, at: key)
            } catch let error as ConfigError {
                throw BadInput("--set \(assignment): \(error)")
            }
        }
        do {
            return (try JobConfig(from: document), document)
        } catch {
            throw BadInput("\(path): \(error)")
        }
    }
}
