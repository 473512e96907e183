import Foundation

/// Which column is the label.
package enum LabelChoice: Sendable, Equatable {
    /// The column with this name (CSV), or `"last"` / a 0-based index as text (npy).
    case named(String)
    /// CSV: the first column named label, target, class or y (any case); npy: the last column;
    /// LIBSVM: always the leading value.
    case conventional
    /// No label: every column is a feature and stored labels are NaN.
    case none
}

/// The source file formats the importer reads.
package enum SourceFormat: String, Sendable, Codable, CaseIterable {
    case csv, libsvm, npy, generated

    /// The format implied by a file name: `.npy`, `.svm`/`.libsvm`/`.svmlight`, else CSV
    /// (`.tsv` too, with a tab delimiter chosen by ``ImportOptions/delimiter(for:)``).
    package static func infer(from url: URL) -> SourceFormat {
        switch url.pathExtension.lowercased() {
        case "npy": return .npy
        case "svm", "libsvm", "svmlight": return .libsvm
        default: return .csv
        }
    }
}

/// How to read, check and encode a source file. Defaults suit a comma-separated file with a
/// conventional label column.
package struct ImportOptions: Sendable {
    package var label: LabelChoice = .conventional
    /// Overrides the inferred task (numeric labels are classification when all integers with at
    /// most 64 distinct values, else regression; text labels are classification).
    package var task: TaskKind?
    /// Accept NaN/inf text as values instead of failing the import.
    package var allowNonFinite = false
    /// Turn quality warnings into errors.
    package var strict = false
    /// Columns to treat as categorical even if they look numeric.
    package var categorical: Set<String> = []
    /// CSV field delimiter; nil picks tab for `.tsv` files, comma otherwise.
    package var delimiter: UInt8?
    /// LIBSVM: feature indices start at 0 instead of 1.
    package var zeroBasedIndices = false
    /// Most distinct values a categorical column may have.
    package var maxLevels = 1000
    /// Rows read from the head of a CSV file to decide which columns are numeric.
    package var inferenceRows = 1000
    package var thresholds = QualityThresholds()

    package init() {}

    /// The delimiter to use for `url`.
    package func delimiter(for url: URL) -> UInt8 {
        delimiter ?? (url.pathExtension.lowercased() == "tsv" ? 0x09 : 0x2C)
    }
}

/// The result of an import or generation: the stored (or already present) version.
package struct ImportOutcome: Sendable {
    /// SHA-256 of the canonical content, 64 lowercase hex digits.
    package var digest: String
    /// `datasets/<digest>` under the store root.
    package var directory: URL
    package var schema: DatasetSchema
    package var statistics: DatasetStatistics
    package var manifest: DatasetManifest
    /// Warnings of the quality checks (errors throw instead).
    package var warnings: [QualityIssue]
    /// False when identical content was already stored (nothing was written).
    package var created: Bool
    /// Bytes of the stored files.
    package var sizeBytes: Int64
}
