import Foundation

/// Reads a CSV file record by record as text fields, with the tokenizer imports use: RFC 4180
/// quoting (delimiters, doubled quotes and newlines inside quotes), CRLF line ends, blank lines
/// skipped.
///
/// For callers that need the fields themselves rather than a stored version, e.g. batch scoring.
/// Memory is bounded by the read buffer and the longest record.
package final class CSVRecordReader {
    /// The file path, for messages.
    package let path: String
    private let reader: FileReader
    private var tokenizer: CSVTokenizer

    /// Opens `url`. `delimiter` defaults to tab for `.tsv` files and comma otherwise.
    /// Throws ``DatasetError/io(path:call:code:)`` when the file cannot be opened.
    package init(url: URL, delimiter: UInt8? = nil) throws {
        var options = ImportOptions()
        options.delimiter = delimiter
        path = url.path
        reader = try FileReader(path: url.path)
        tokenizer = CSVTokenizer(reader: reader, delimiter: options.delimiter(for: url), bufferSize: 1 << 20)
    }

    deinit { tokenizer.release() }

    /// The 1-based line on which the record last returned by ``next()`` starts.
    package var line: Int { tokenizer.line }

    /// The fields of the next record, unquoted, or nil at the end of the file.
    /// Throws ``DatasetError/malformed(at:detail:)`` for a quote that is never closed or text
    /// after a closing quote, ``DatasetError/io(path:call:code:)`` when reading fails.
    package func next() throws -> [String]? {
        guard try tokenizer.next() else { return nil }
        return (0..<tokenizer.fieldCount).map { tokenizer.fieldText($0) }
    }
}
