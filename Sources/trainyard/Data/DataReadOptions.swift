import ArgumentParser
import Datasets
import TrainyardKit

/// Options shared by `data add` and `data validate` that control how a file is read.
struct DataReadOptions: ParsableArguments {
    @Option(name: .long, help: "Source format: csv, libsvm or npy (default: from the file extension).")
    var format: String?

    @Option(name: .long, help: "CSV field delimiter, one character (default: comma; tab for .tsv).")
    var delimiter: String?

    @Option(name: .long, help: "Comma-separated columns to treat as categorical even if they look numeric.")
    var categorical: String?

    @Flag(name: .long, help: "LIBSVM: feature indices start at 0 (default: 1).")
    var zeroBased = false

    @Flag(name: .long, help: "Accept NaN and infinite values instead of failing.")
    var allowNonfinite = false

    /// The parsed format, or nil to infer it from the path.
    func sourceFormat() throws -> SourceFormat? {
        guard let format else { return nil }
        guard let parsed = SourceFormat(rawValue: format.lowercased()), parsed != .generated else {
            throw BadInput("--format \(format): expected csv, libsvm or npy")
        }
        return parsed
    }

    /// Import options from these flags.
    func importOptions() throws -> ImportOptions {
        var options = ImportOptions()
        if let delimiter {
            let text = delimiter == "\\t" ? "\t" : delimiter
            guard text.utf8.count == 1 else { throw BadInput("--delimiter \(delimiter): expected a single character") }
            options.delimiter = text.utf8.first
        }
        if let categorical {
            options.categorical = Set(categorical.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        }
        options.zeroBasedIndices = zeroBased
        options.allowNonFinite = allowNonfinite
        return options
    }
}
