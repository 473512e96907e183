import Foundation

/// Reads LIBSVM / SVMlight files: `label index:value ...` per line, optional `qid:N`, `#`
/// comments, blank lines skipped. Absent features are 0.
///
/// Two streaming passes: the first finds the number of features (the largest index) and checks
/// every index; the second parses values into pass 1 of the import. Columns are named
/// `f<index>` as written in the file; the label (always the leading value) is column `label`.
struct LIBSVMReader {
    let url: URL
    let options: ImportOptions
    var file: String { url.path }

    private struct Token {
        var index: Int
        var value: (UnsafePointer<UInt8>, Int)
    }

    func read(spillDirectory: URL) throws -> RawTableBuilder {
        let reader = try FileReader(path: file)
        if try reader.size() == 0 { throw DatasetError.emptyFile(file: file) }
        let base = options.zeroBasedIndices ? 0 : 1
        var maxIndex = base - 1
        try forEachLine { _, _, tokens in
            for token in tokens where token.index > maxIndex { maxIndex = token.index }
        }
        let featureCount = maxIndex - base + 1
        var columns = (0..<featureCount).map { RawColumn(name: "f\($0 + base)", kind: .numeric) }
        columns.append(RawColumn(name: "label", kind: .numeric))
        let labelIndex = featureCount
        let builder = try RawTableBuilder(
            columns: columns, labelIndex: labelIndex,
            spillPath: spillDirectory.appendingPathComponent("rows.spill").path)
        try forEachLine { lineNumber, label, tokens in
            let row = builder.row
            row.update(repeating: 0, count: featureCount)
            row[featureCount] = label
            for (k, token) in tokens.enumerated() {
                let c = token.index - base
                let at = SourcePosition(file: file, line: lineNumber, column: k + 2, columnName: "f\(token.index)")
                switch NumberParser.parse(token.value.0, token.value.1) {
                case .finite(let v): row[c] = Float(v)
                case .nonFinite(let v):
                    guard options.allowNonFinite else {
                        throw DatasetError.nonFiniteValue(at: at, text: text(token.value))
                    }
                    row[c] = Float(v)
                case .missing, .text:
                    throw DatasetError.unparsableValue(at: at, text: text(token.value), expected: "a number after ':'")
                }
            }
            try builder.commitRow()
        }
        if builder.rows == 0 { throw DatasetError.noRows(file: file) }
        return builder
    }

    private func text(_ field: (UnsafePointer<UInt8>, Int)) -> String {
        String(decoding: UnsafeBufferPointer(start: field.0, count: field.1), as: UTF8.self)
    }

    /// Tokenises every non-blank line: the label value and the `index:value` tokens.
    private func forEachLine(_ body: (Int, Float, [Token]) throws -> Void) throws {
        let reader = try FileReader(path: file)
        var lines = LineReader(reader: reader)
        defer { lines.release() }
        var tokens: [Token] = []
        var seen = Set<Int>()
        let base = options.zeroBasedIndices ? 0 : 1
        while let (p, fullLength) = try lines.next() {
            var n = fullLength
            if let hash = memchr(p, 0x23, n) { n = p.distance(to: hash.assumingMemoryBound(to: UInt8.self)) }
            tokens.removeAll(keepingCapacity: true)
            seen.removeAll(keepingCapacity: true)
            var i = 0
            var fields: [(Int, Int)] = []
            while i < n {
                while i < n, p[i] == 0x20 || p[i] == 0x09 { i += 1 }
                let s = i
                while i < n, p[i] != 0x20, p[i] != 0x09 { i += 1 }
                if i > s { fields.append((s, i - s)) }
            }
            guard let first = fields.first else { continue }
            let labelText = String(decoding: UnsafeBufferPointer(start: p + first.0, count: first.1), as: UTF8.self)
            let label: Float
            switch NumberParser.parse(p + first.0, first.1) {
            case .finite(let v): label = Float(v)
            default:
                throw DatasetError.unparsableValue(
                    at: SourcePosition(file: file, line: lines.line, column: 1, columnName: "label"),
                    text: labelText, expected: "a numeric label")
            }
            for (k, field) in fields.dropFirst().enumerated() {
                let fp = p + field.0
                let at = SourcePosition(file: file, line: lines.line, column: k + 2)
                let tokenText = String(decoding: UnsafeBufferPointer(start: fp, count: field.1), as: UTF8.self)
                guard let colon = memchr(fp, 0x3A, field.1) else {
                    throw DatasetError.unparsableValue(at: at, text: tokenText, expected: "index:value")
                }
                let colonAt = fp.distance(to: colon.assumingMemoryBound(to: UInt8.self))
                let key = String(decoding: UnsafeBufferPointer(start: fp, count: colonAt), as: UTF8.self)
                if key == "qid" { continue }
                guard let index = Int(key), index >= 0 else {
                    throw DatasetError.unparsableValue(
                        at: at, text: tokenText, expected: "a non-negative integer index before ':'")
                }
                if index < base {
                    throw DatasetError.malformed(
                        at: at,
                        detail: "feature index 0 in \"\(tokenText)\" but indices are "
                            + "1-based (declare 0-based indices with --zero-based)")
                }
                if index > 10_000_000 {
                    throw DatasetError.malformed(
                        at: at, detail: "feature index \(index) in \"\(tokenText)\" exceeds 10000000")
                }
                if !seen.insert(index).inserted {
                    throw DatasetError.malformed(at: at, detail: "feature index \(index) appears twice on this line")
                }
                tokens.append(Token(index: index, value: (UnsafePointer(fp + colonAt + 1), field.1 - colonAt - 1)))
            }
            try body(lines.line, label, tokens)
        }
    }
}
