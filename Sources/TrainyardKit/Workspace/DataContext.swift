import Datasets
import Foundation
import TrackingStore

/// The dataset store and the catalog of one `TRAINYARD_HOME`, opened together.
package struct DataContext {
    package let home: TrainyardHome
    package let store: DatasetStore
    package let catalog: TrackingStore

    /// Opens (creating when missing) the home, the store directory and the tracking database.
    package static func open(home: TrainyardHome) throws -> DataContext {
        do {
            try home.create()
            let catalog = try TrackingStore(path: home.database)
            return DataContext(home: home, store: DatasetStore(root: home.datasets), catalog: catalog)
        } catch {
            throw WorkFailed("cannot open TRAINYARD_HOME at \(home.root.path): \(error)")
        }
    }

    /// The catalog record for `reference` (NAME, NAME@PREFIX or a digest) and its opened version.
    package func resolve(_ reference: String) throws -> (DatasetVersionRecord, DatasetVersion) {
        let record = try catalogCall { try catalog.resolveDatasetVersion(reference) }
        do {
            return (record, try store.open(digest: record.digest))
        } catch let error as DatasetError {
            throw WorkFailed("\(record.versionLabel): \(error.description)")
        }
    }

    /// Registers an imported version under `name` in the catalog.
    package func register(name: String, outcome: ImportOutcome, source: String?) throws -> DatasetVersionRecord {
        let record = DatasetVersionRecord(
            name: name, digest: outcome.digest, format: outcome.manifest.sourceFormat,
            rows: Int(outcome.statistics.rows),
            features: outcome.schema.featureCount, label: outcome.schema.label?.column,
            task: outcome.schema.label?.task.rawValue, sourcePath: source, storePath: "datasets/\(outcome.digest)",
            sizeBytes: outcome.sizeBytes, schemaJSON: try Self.compactJSON(outcome.schema),
            statsJSON: try Self.compactJSON(StatisticsSummary(outcome.statistics)), createdAt: Date())
        return try catalogCall { try catalog.registerDatasetVersion(record) }.record
    }

    /// Runs a catalog call, mapping lookup errors to bad input (exit 2) and the rest to failures.
    package func catalogCall<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as TrackingError {
            switch error {
            case .notFound, .ambiguous, .invalidArgument: throw BadInput(error.description)
            default: throw WorkFailed(error.description)
            }
        }
    }

    package static func compactJSON<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Checks a dataset name before any work is done: `[A-Za-z0-9._-]{1,128}`.
    package static func checkName(_ name: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard (1...128).contains(name.count), name.allSatisfy({ allowed.contains($0) }) else {
            throw BadInput("invalid dataset name \"\(name)\": use 1 to 128 of A-Z a-z 0-9 . _ -")
        }
    }
}

/// The compact statistics kept in the catalog: moments per column, class counts.
package struct StatisticsSummary: Codable {
    package struct Column: Codable {
        package var name: String
        package var kind: String
        package var count: Int64
        package var missing: Int64
        package var min: Double?
        package var max: Double?
        package var mean: Double?
        package var std: Double?
    }
    package var rows: Int64
    package var columns: [Column]
    package var classCounts: [Int64]?

    package init(_ stats: DatasetStatistics) {
        rows = stats.rows
        columns = stats.columns.map {
            Column(
                name: $0.name, kind: $0.kind.rawValue, count: $0.count, missing: $0.missing, min: $0.min, max: $0.max,
                mean: $0.mean, std: $0.std)
        }
        classCounts = stats.classCounts
    }
}

extension DatasetError {
    /// The CLI error for this dataset error: bad input (exit 2) or a failure (exit 1).
    package var cliError: Error { isBadInput ? BadInput(description) : WorkFailed(description) }
}
