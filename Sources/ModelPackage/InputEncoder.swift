import Datasets
import Foundation

/// Rows encoded into a model's feature matrix, before the fitted transforms.
package struct EncodedInput: Sendable, Equatable {
    /// `rows × featureCount` Float32 features, row-major.
    package var features: [Float]
    package var rows: Int
    /// Per categorical column, how many values were of a level the model never saw (encoded as
    /// all zeros, like a missing value); columns without any are absent. Callers should warn.
    package var unseenLevels: [String: Int]

    package init(features: [Float], rows: Int, unseenLevels: [String: Int] = [:]) {
        self.features = features
        self.rows = rows
        self.unseenLevels = unseenLevels
    }
}

/// Turns raw input rows into a model's Float32 features, the way an import encodes a dataset.
///
/// Numeric fields parse like an import (empty, `NA`, `N/A`, `null`, `?`, `nan` → NaN);
/// categorical fields are one-hot over the schema's levels (missing or unseen → all zeros).
package struct InputEncoder: Sendable {
    package let schema: InputSchema
    private let levelIndices: [[String: Int]]

    package init(schema: InputSchema) {
        self.schema = schema
        levelIndices = schema.columns.map { column in
            Dictionary((column.levels ?? []).enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// Encodes text rows whose fields are named by `header` (e.g. a CSV file). Columns the model
    /// does not read (the label, an id) are ignored. Complexity O(rows × header.count).
    /// - Throws: ``ModelPackageError/missingColumn(name:available:)`` for an input column absent
    ///   from `header`, ``ModelPackageError/duplicateColumn(name:)``,
    ///   ``ModelPackageError/raggedRow(row:expected:found:)``, and
    ///   ``ModelPackageError/invalidNumber(row:column:text:)`` naming the 0-based row and column.
    package func encode(header: [String], rows: [[String]]) throws(ModelPackageError) -> EncodedInput {
        try encode(rows: rows, fields: fieldIndices(header: header), width: header.count)
    }

    /// Encodes rows of raw numbers given in input-column order (NaN = missing). Numeric inputs
    /// only: throws ``ModelPackageError/categoricalNeedsText(column:)`` when the schema has a
    /// categorical column, ``ModelPackageError/raggedRow(row:expected:found:)`` for a row of
    /// the wrong length.
    package func encode(numericRows: [[Double]]) throws(ModelPackageError) -> EncodedInput {
        if let categorical = schema.columns.first(where: { $0.kind == .categorical }) {
            throw .categoricalNeedsText(column: categorical.name)
        }
        for (r, row) in numericRows.enumerated() where row.count != schema.columns.count {
            throw .raggedRow(row: r, expected: schema.columns.count, found: row.count)
        }
        return EncodedInput(features: numericRows.flatMap { $0.map(Float.init) }, rows: numericRows.count)
    }

    /// Accepts an already encoded feature matrix, `rows × featureCount` row-major; throws
    /// ``ModelPackageError/shapeMismatch(what:expected:actual:)`` for any other size.
    package func encode(features: [Float], rows: Int) throws(ModelPackageError) -> EncodedInput {
        guard rows >= 0, features.count == rows * schema.featureCount else {
            throw .shapeMismatch(
                what: "features (rows × \(schema.featureCount))", expected: max(0, rows) * schema.featureCount,
                actual: features.count)
        }
        return EncodedInput(features: features, rows: rows)
    }

    /// The position in `header` of each input column, in schema order.
    func fieldIndices(header: [String]) throws(ModelPackageError) -> [Int] {
        var positions: [String: Int] = [:]
        for (i, name) in header.enumerated() {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard positions.updateValue(i, forKey: trimmed) == nil else { throw .duplicateColumn(name: trimmed) }
        }
        return try schema.columns.map { (column) throws(ModelPackageError) in
            guard let index = positions[column.name] else { throw .missingColumn(name: column.name, available: header) }
            return index
        }
    }

    /// Encodes text rows of `width` fields, reading input column `c` from field `fields[c]`.
    func encode(rows: [[String]], fields: [Int], width: Int) throws(ModelPackageError) -> EncodedInput {
        let featureCount = schema.featureCount
        var features = [Float](repeating: 0, count: rows.count * featureCount)
        var unseen: [String: Int] = [:]
        for (r, row) in rows.enumerated() {
            guard row.count == width else { throw .raggedRow(row: r, expected: width, found: row.count) }
            for (c, column) in schema.columns.enumerated() {
                let text = row[fields[c]]
                let parsed = Self.parse(text)
                switch column.kind {
                case .numeric:
                    switch parsed {
                    case .finite(let value), .nonFinite(let value):
                        features[r * featureCount + column.firstFeature] = Float(value)
                    case .missing: features[r * featureCount + column.firstFeature] = .nan
                    case .text: throw .invalidNumber(row: r, column: column.name, text: text)
                    }
                case .categorical:
                    let level = text.trimmingCharacters(in: [" "])
                    guard parsed != .missing, !level.isEmpty else { continue }
                    if let index = levelIndices[c][level] {
                        features[r * featureCount + column.firstFeature + index] = 1
                    } else {
                        unseen[column.name, default: 0] += 1
                    }
                }
            }
        }
        return EncodedInput(features: features, rows: rows.count, unseenLevels: unseen)
    }

    /// Classifies `text` with the import's number parser.
    static func parse(_ text: String) -> ParsedNumber {
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return .missing }
            return NumberParser.parse(base, bytes.count)
        }
    }
}
