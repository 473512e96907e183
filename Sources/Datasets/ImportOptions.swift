import Foundation

/// Which column is the label.
public enum LabelChoice: Sendable, Equatable {
    /// The column with this name (CSV), or `"last"` / a 0-based index as text (npy).
    case named(String)
    /// CSV: the first column named label, target, class or y (any case); npy: the last column;
    /// LIBSVM: always the leading value.
    case conventional
    /// No label: every column is a feature and stored labels are NaN.
    case none
}

/// The source file formats the importer reads.
public enum SourceFormat: String, Sendable, Codable, CaseIterable {
    case csv, libsvm, npy, generated

    /// The format implied by a file name: `.npy`, `.svm`/`.libsvm`/`.svmlight`, else CSV
    /// (`.tsv` too, with a tab delimiter chosen by ``ImportOptions/delimiter(for:)``).
    public static func infer(from url: URL) -> SourceFormat {
        switch url.pathExtension.lowercased() {
        case "npy": return .npy
        case "svm", "libsvm", "svmlight": return .libsvm
        default: return .csv
        }
    }
}

/// How to read, check and encode a source file. Defaults suit a comma-separated file with a
/// conventional label column.
public struct ImportOptions: Sendable {
    public var label: LabelChoice = .conventional
    /// Overrides the inferred task (numeric labels are classification when all integers with at
    /// most 64 distinct values, else regression; text labels are classification).
    public var task: TaskKind?
    /// Accept NaN/inf text as values instead of failing the import.
    public var allowNonFinite = false
    /// Turn quality warnings into errors.
    public var strict = false
    /// Columns to treat as categorical even if they look numeric.
    public var categorical: Set<String> = []
    /// CSV field delimiter; nil picks tab for `.tsv` files, comma otherwise.
    public var delimiter: UInt8?
    /// LIBSVM: feature indices start at 0 instead of 1.
    public var zeroBasedIndices = false
    /// Most distinct values a categorical column may have.
    public var maxLevels = 1000
    /// Rows read from the head of a CSV file to decide which columns are numeric.
    public var inferenceRows = 1000
    public var thresholds = QualityThresholds()

    public init() {}

    /// The delimiter to use for `url`.
    public func delimiter(for url: URL) -> UInt8 {
        delimiter ?? (url.pathExtension.lowercased() == "tsv" ? 0x09 : 0x2C)
    }
}

/// The result of an import or generation: the stored (or already present) version.
public struct ImportOutcome: Sendable {
    /// SHA-256 of the canonical content, 64 lowercase hex digits.
    public var digest: String
    /// `datasets/<digest>` under the store root.
    public var directory: URL
    public var schema: DatasetSchema
    public var statistics: DatasetStatistics
    public var manifest: DatasetManifest
    /// Warnings of the quality checks (errors throw instead).
    public var warnings: [QualityIssue]
    /// False when identical content was already stored (nothing was written).
    public var created: Bool
    /// Bytes of the stored files.
    public var sizeBytes: Int64
}
