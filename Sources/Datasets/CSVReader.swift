import Foundation

/// Reads a CSV file with a header row into pass 1 of an import.
///
/// Column kinds are decided from the first `inferenceRows` rows: a column is categorical when
/// more than half of its non-missing values there are not numbers (or when the user says so);
/// otherwise numeric, and a non-number further down is an ``DatasetError/unparsableValue(at:text:expected:)``
/// naming file, line and column. Streaming; memory bounded by the tokenizer buffer.
struct CSVReader {
    let url: URL
    let options: ImportOptions

    var file: String { url.path }

    /// The header names and the inferred kinds.
    func inferColumns() throws -> (names: [String], kinds: [ColumnKind]) {
        let reader = try FileReader(path: file)
        if try reader.size() == 0 { throw DatasetError.emptyFile(file: file) }
        var tokenizer = CSVTokenizer(reader: reader, delimiter: options.delimiter(for: url), bufferSize: 1 << 20)
        defer { tokenizer.release() }
        guard try tokenizer.next() else { throw DatasetError.emptyFile(file: file) }
        var names: [String] = []
        var seen: Set<String> = []
        for i in 0..<tokenizer.fieldCount {
            var name = tokenizer.fieldText(i).trimmingCharacters(in: .whitespaces)
            if i == 0, name.hasPrefix("\u{FEFF}") { name.removeFirst() }
            if name.isEmpty { name = "column\(i + 1)" }
            if !seen.insert(name).inserted { throw DatasetError.duplicateColumn(file: file, name: name) }
            names.append(name)
        }
        var numbers = [Int](repeating: 0, count: names.count)
        var texts = [Int](repeating: 0, count: names.count)
        var rows = 0
        while rows < options.inferenceRows, try tokenizer.next() {
            rows += 1
            for i in 0..<min(tokenizer.fieldCount, names.count) {
                let (p, n) = tokenizer.field(i)
                switch NumberParser.parse(p, n) {
                case .finite, .nonFinite: numbers[i] += 1
                case .text: texts[i] += 1
                case .missing: break
                }
            }
        }
        let kinds: [ColumnKind] = names.indices.map { i in
            options.categorical.contains(names[i]) || texts[i] > numbers[i] ? .categorical : .numeric
        }
        return (names, kinds)
    }

    /// The label column index for `names` under the options.
    func labelIndex(names: [String]) throws -> Int? {
        switch options.label {
        case .none: return nil
        case .named(let name):
            guard let i = names.firstIndex(of: name) else {
                throw DatasetError.missingLabelColumn(file: file, label: name, available: names)
            }
            return i
        case .conventional:
            for candidate in ["label", "target", "class", "y"] {
                if let i = names.firstIndex(where: { $0.lowercased() == candidate }) { return i }
            }
            throw DatasetError.missingLabelColumn(file: file, label: nil, available: names)
        }
    }

    /// Pass 1: every data row into `builder` (whose columns come from ``inferColumns()``).
    func read(into builder: RawTableBuilder) throws {
        let reader = try FileReader(path: file)
        var tokenizer = CSVTokenizer(reader: reader, delimiter: options.delimiter(for: url))
        defer { tokenizer.release() }
        _ = try tokenizer.next()
        let width = builder.width
        let kinds = builder.columns.map(\.kind)
        let labelIndex = builder.labelIndex ?? -1
        let allowNonFinite = options.allowNonFinite
        var row = builder.row
        let delimiter = options.delimiter(for: url)
        let allNumeric = !kinds.contains(.categorical)
        while true {
            let record = try tokenizer.nextRecord(split: !allNumeric)
            switch record {
            case .end:
                if builder.rows == 0 { throw DatasetError.noRows(file: file) }
                return
            case .line(let begin, let end):
                // Fused path: find and parse each numeric field in one pass.
                var p = begin
                var c = 0
                while true {
                    let (parsed, fieldEnd) = NumberParser.parseField(p, end, delimiter: delimiter)
                    if c < width {
                        if case .finite(let value) = parsed {
                            row[c] = Float(value)
                        } else {
                            try store(
                                parsed, column: c, tokenizer: &tokenizer, begin: begin, end: end, builder: builder)
                        }
                    }
                    c += 1
                    if fieldEnd >= end { break }
                    p = fieldEnd + 1
                }
                if c != width {
                    throw DatasetError.raggedRow(
                        at: SourcePosition(file: file, line: tokenizer.line), expected: width, found: c)
                }
                try builder.commitRow()
                row = builder.row
                continue
            case .fields:
                break
            }
            if tokenizer.fieldCount != width {
                throw DatasetError.raggedRow(
                    at: SourcePosition(file: file, line: tokenizer.line),
                    expected: width, found: tokenizer.fieldCount)
            }
            for c in 0..<width {
                let (p, n) = tokenizer.field(c)
                if kinds[c] == .numeric {
                    switch NumberParser.parse(p, n) {
                    case .finite(let value):
                        row[c] = Float(value)
                    case .missing:
                        if c == labelIndex { throw missingLabel(tokenizer, c, builder) }
                        row[c] = .nan
                    case .nonFinite(let value):
                        if !allowNonFinite || c == labelIndex {
                            throw DatasetError.nonFiniteValue(
                                at: position(tokenizer, c, builder),
                                text: tokenizer.fieldText(c))
                        }
                        row[c] = Float(value)
                    case .text:
                        throw DatasetError.unparsableValue(
                            at: position(tokenizer, c, builder),
                            text: tokenizer.fieldText(c), expected: "a number")
                    }
                } else {
                    var s = p
                    var len = n
                    while len > 0, s.pointee == 0x20 { s += 1; len -= 1 }
                    while len > 0, s[len - 1] == 0x20 || s[len - 1] == 0x0D { len -= 1 }
                    if len == 0 || NumberParser.parse(s, len) == .missing {
                        if c == labelIndex { throw missingLabel(tokenizer, c, builder) }
                        row[c] = .nan
                        continue
                    }
                    guard let id = builder.levelTables[c].id(s, len, limit: options.maxLevels) else {
                        throw DatasetError.tooManyLevels(
                            file: file, column: builder.columns[c].name,
                            limit: options.maxLevels)
                    }
                    row[c] = Float(id)
                }
            }
            try builder.commitRow()
            row = builder.row
        }
        if builder.rows == 0 { throw DatasetError.noRows(file: file) }
    }

    /// The slow cases of the fused path: missing, non-finite and unparsable numeric fields.
    private func store(
        _ parsed: ParsedNumber, column c: Int, tokenizer: inout CSVTokenizer,
        begin: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>, builder: RawTableBuilder
    ) throws {
        let isLabel = c == builder.labelIndex
        switch parsed {
        case .finite(let value):
            builder.row[c] = Float(value)
        case .missing:
            if isLabel {
                throw DatasetError.unparsableValue(
                    at: position(tokenizer.line, c, builder),
                    text: fieldText(begin, end, c), expected: "a label value (it is missing)")
            }
            builder.row[c] = .nan
        case .nonFinite(let value):
            if !options.allowNonFinite || isLabel {
                throw DatasetError.nonFiniteValue(
                    at: position(tokenizer.line, c, builder), text: fieldText(begin, end, c))
            }
            builder.row[c] = Float(value)
        case .text:
            throw DatasetError.unparsableValue(
                at: position(tokenizer.line, c, builder), text: fieldText(begin, end, c),
                expected: "a number")
        }
    }

    /// The text of field `c` of an unsplit line (for messages).
    private func fieldText(_ begin: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, _ c: Int) -> String {
        let bytes = UnsafeBufferPointer(start: begin, count: begin.distance(to: end))
        let fields = bytes.split(separator: options.delimiter(for: url), omittingEmptySubsequences: false)
        return c < fields.count ? String(decoding: fields[c], as: UTF8.self) : ""
    }

    private func position(_ line: Int, _ c: Int, _ builder: RawTableBuilder) -> SourcePosition {
        SourcePosition(file: file, line: line, column: c + 1, columnName: builder.columns[c].name)
    }

    private func position(_ t: CSVTokenizer, _ c: Int, _ builder: RawTableBuilder) -> SourcePosition {
        SourcePosition(file: file, line: t.line, column: c + 1, columnName: builder.columns[c].name)
    }

    private func missingLabel(_ t: CSVTokenizer, _ c: Int, _ builder: RawTableBuilder) -> DatasetError {
        .unparsableValue(at: position(t, c, builder), text: t.fieldText(c), expected: "a label value (it is missing)")
    }
}
