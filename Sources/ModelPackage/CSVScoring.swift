import Datasets
import Foundation

/// The outcome of scoring a CSV file.
package struct ScoringSummary: Sendable, Equatable {
    /// Data rows scored.
    package var rows: Int
    /// Per categorical column, values of a level the model never saw (scored as all zeros).
    package var unseenLevels: [String: Int]
    /// The output CSV when no output file was given; nil when it was written to a file.
    package var text: String?
}

/// Batch scoring of CSV files: `trainyard predict --input FILE.csv [--output FILE]`.
package enum CSVScoring {
    /// Rows encoded and predicted at a time.
    package static let chunkRows = 4096

    /// Scores every row of `input` and writes one output row per input row, in order.
    ///
    /// The input has a header row; columns the model does not read are ignored. The output has a
    /// `prediction` column (the class name for classifiers, the value for regressors) and, for
    /// classifiers, one `p_<label>` column per class. With an `output` URL the file is written
    /// atomically (temporary file in the same directory, fsync, rename) and ``ScoringSummary/text``
    /// is nil; without one the CSV is returned in ``ScoringSummary/text`` for the caller to print.
    /// Memory O(output size).
    /// - Throws: ``ModelPackageError/invalidInput(at:detail:)`` naming the file, line and column
    ///   for a missing column, a ragged row, text in a numeric column or a value the model
    ///   cannot score; ``DatasetError`` (with file and line) when the file is unreadable or
    ///   malformed CSV; the write's error when `output` cannot be written.
    package static func score(
        csv input: URL, predictor: Predictor, encoder: InputEncoder,
        output: URL?
    ) throws -> ScoringSummary {
        let reader = try CSVRecordReader(url: input)
        guard let header = try reader.next() else {
            throw ModelPackageError.invalidInput(
                at: SourcePosition(file: reader.path, line: 1),
                detail: "the file is empty; expected a header row")
        }
        let fields: [Int]
        do { fields = try encoder.fieldIndices(header: header) } catch {
            throw ModelPackageError.invalidInput(
                at: SourcePosition(file: reader.path, line: reader.line),
                detail: error.description)
        }
        let classNames = predictor.manifest.labels ?? []
        var text = (["prediction"] + classNames.map { "p_" + $0 }).map(csvField).joined(separator: ",") + "\n"
        var summary = ScoringSummary(rows: 0, unseenLevels: [:], text: nil)
        var records: [[String]] = []
        var lines: [Int] = []
        func flush() throws {
            let chunk = Chunk(records: records, lines: lines, header: header, fields: fields, file: reader.path)
            let predictions = try chunk.predict(encoder: encoder, predictor: predictor, summary: &summary)
            for r in 0..<predictions.rows {
                if classNames.isEmpty {
                    text += "\(predictions.values[r])\n"
                } else {
                    text +=
                        ([csvField(predictions.labels[r])] + predictions.probabilities(row: r).map { "\($0)" })
                        .joined(separator: ",") + "\n"
                }
            }
            summary.rows += predictions.rows
            records.removeAll(keepingCapacity: true)
            lines.removeAll(keepingCapacity: true)
        }
        while let record = try reader.next() {
            records.append(record)
            lines.append(reader.line)
            if records.count == chunkRows { try flush() }
        }
        if !records.isEmpty { try flush() }
        if let output {
            try AtomicFile.write(Array(text.utf8), to: output)
        } else {
            summary.text = text
        }
        return summary
    }

    /// `value`, quoted when it holds a comma, a quote or a line break (quotes doubled).
    static func csvField(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Records read from one file, with their line numbers, for turning row errors into positions.
    private struct Chunk {
        let records: [[String]]
        let lines: [Int]
        let header: [String]
        let fields: [Int]
        let file: String

        /// Encodes and predicts the records, adding unseen levels to `summary`; errors of a row
        /// become ``ModelPackageError/invalidInput(at:detail:)`` at its line and column.
        func predict(encoder: InputEncoder, predictor: Predictor, summary: inout ScoringSummary) throws -> Predictions {
            do {
                let encoded = try encoder.encode(rows: records, fields: fields, width: header.count)
                summary.unseenLevels.merge(encoded.unseenLevels, uniquingKeysWith: +)
                return try predictor.predict(encoded)
            } catch let error as ModelPackageError {
                throw position(of: error, schema: encoder.schema)
            }
        }

        private func position(of error: ModelPackageError, schema: InputSchema) -> ModelPackageError {
            switch error {
            case .raggedRow(let row, let expected, let found):
                return .invalidInput(
                    at: SourcePosition(file: file, line: lines[row]),
                    detail: "expected \(expected) fields like the header, found \(found)")
            case .invalidNumber(let row, let column, let text):
                let c = schema.columns.firstIndex { $0.name == column }
                return .invalidInput(
                    at: at(row: row, column: c, schema), detail: "expected a number, found \"\(text)\"")
            case .nonFiniteFeature(let row, let feature, let value):
                let f = schema.featureNames.firstIndex(of: feature) ?? -1
                let c = schema.columns.firstIndex { $0.firstFeature <= f && f < $0.firstFeature + $0.featureCount }
                return .invalidInput(
                    at: at(row: row, column: c, schema),
                    detail: "feature \"\(feature)\" is \(value) "
                        + "after the fitted transforms; the model has no imputer for missing values")
            default:
                return error
            }
        }

        /// The file position of input column `c` (an index into `schema.columns`) in data row `row`.
        private func at(row: Int, column c: Int?, _ schema: InputSchema) -> SourcePosition {
            guard let c else { return SourcePosition(file: file, line: lines[row]) }
            return SourcePosition(
                file: file, line: lines[row], column: fields[c] + 1, columnName: schema.columns[c].name)
        }
    }
}
