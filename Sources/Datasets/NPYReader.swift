import Foundation
import HexText

/// Reads NumPy `.npy` files (format 1.0, 2.0, 3.0): a 1-D or 2-D array in C order of
/// little-endian or byte-order-free Float32, Float64, or signed/unsigned integers of 1–8 bytes.
///
/// Columns are named `c0`, `c1`, …; the label is the last column unless the options say
/// `.named("N")` (a 0-based column index), `.named("last")` or `.none`. Rows are streamed in
/// chunks of about 4 MiB.
struct NPYReader {
    let url: URL
    let options: ImportOptions
    var file: String { url.path }

    struct Header {
        var dtype: String
        var elementSize: Int
        var rows: Int
        var columns: Int
        var dataOffset: Int
    }

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]

    func readHeader(_ reader: FileReader, size: Int64) throws -> Header {
        let at = SourcePosition(file: file)
        guard size > 0 else { throw DatasetError.emptyFile(file: file) }
        guard size >= 10 else {
            throw DatasetError.malformed(at: at, detail: "\(size) bytes is too short for an .npy header")
        }
        var prefix = [UInt8](repeating: 0, count: 12)
        try prefix.withUnsafeMutableBytes {
            try reader.readExactly(into: $0.baseAddress!, count: min(12, Int(size)), offset: 0)
        }
        guard Array(prefix[0..<6]) == Self.magic else {
            let found = HexText.encode(prefix[0..<6], separator: " ")
            throw DatasetError.malformed(
                at: at, detail: "wrong magic number: expected 93 4e 55 4d 50 59 (\"\\x93NUMPY\"), found \(found)")
        }
        let major = prefix[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1: headerLength = Int(prefix[8]) | Int(prefix[9]) << 8; headerStart = 10
        case 2, 3:
            headerLength = Int(prefix[8]) | Int(prefix[9]) << 8 | Int(prefix[10]) << 16 | Int(prefix[11]) << 24
            headerStart = 12
        default: throw DatasetError.malformed(at: at, detail: "unsupported .npy format version \(major).\(prefix[7])")
        }
        guard headerLength <= 1 << 20, Int64(headerStart + headerLength) <= size else {
            throw DatasetError.malformed(at: at, detail: "header length \(headerLength) runs past the end of the file")
        }
        var headerBytes = [UInt8](repeating: 0, count: headerLength)
        try headerBytes.withUnsafeMutableBytes {
            try reader.readExactly(into: $0.baseAddress!, count: headerLength, offset: Int64(headerStart))
        }
        let text = String(decoding: headerBytes, as: UTF8.self)
        guard let descr = Self.value(of: "descr", in: text)?.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        else {
            throw DatasetError.malformed(at: at, detail: "header has no 'descr': \(text)")
        }
        if let fortran = Self.value(of: "fortran_order", in: text), fortran == "True" {
            throw DatasetError.malformed(
                at: at,
                detail: "Fortran-ordered arrays are not supported; save with C order "
                    + "(np.ascontiguousarray)")
        }
        guard let shapeText = Self.shape(in: text) else {
            throw DatasetError.malformed(at: at, detail: "header has no 'shape': \(text)")
        }
        let dims = shapeText.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty
        }
        let shape = dims.compactMap { Int($0) }
        guard shape.count == dims.count, (1...2).contains(shape.count), shape.allSatisfy({ $0 >= 0 }) else {
            throw DatasetError.malformed(at: at, detail: "expected a 1-D or 2-D array, found shape (\(shapeText))")
        }
        let order = descr.first ?? "?"
        let kind = descr.dropFirst()
        guard order == "<" || order == "|" || order == "=",
            ["f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"].contains(String(kind))
        else {
            throw DatasetError.malformed(
                at: at, detail: "unsupported dtype '\(descr)' (expected little-endian float32/64 or integers)")
        }
        let rows = shape[0]
        let columns = shape.count == 2 ? shape[1] : 1
        let elementSize = Int(kind.dropFirst())!
        let dataOffset = headerStart + headerLength
        let expected = Int64(dataOffset) + Int64(rows) * Int64(columns) * Int64(elementSize)
        guard expected == size else {
            throw DatasetError.malformed(
                at: at, detail: "shape (\(shapeText)) of \(descr) needs \(expected) bytes, file has \(size)")
        }
        return Header(
            dtype: String(kind), elementSize: elementSize, rows: rows, columns: columns, dataOffset: dataOffset)
    }

    private static func value(of key: String, in header: String) -> String? {
        guard let range = header.range(of: "'\(key)':") else { return nil }
        let rest = header[range.upperBound...].drop { $0 == " " }
        return String(rest.prefix { $0 != "," && $0 != "}" }).trimmingCharacters(in: .whitespaces)
    }

    private static func shape(in header: String) -> String? {
        guard let range = header.range(of: "'shape':"), let open = header[range.upperBound...].firstIndex(of: "("),
            let close = header[open...].firstIndex(of: ")")
        else { return nil }
        return String(header[header.index(after: open)..<close])
    }

    func read(spillDirectory: URL) throws -> RawTableBuilder {
        let reader = try FileReader(path: file)
        let header = try readHeader(reader, size: try reader.size())
        guard header.rows > 0, header.columns > 0 else { throw DatasetError.noRows(file: file) }
        let labelIndex: Int?
        switch options.label {
        case .none: labelIndex = nil
        case .conventional: labelIndex = header.columns - 1
        case .named(let text):
            if text == "last" {
                labelIndex = header.columns - 1
            } else if let i = Int(text), i >= 0, i < header.columns {
                labelIndex = i
            } else {
                throw DatasetError.missingLabelColumn(
                    file: file, label: text, available: (0..<header.columns).map { "\($0)" })
            }
        }
        let columns = (0..<header.columns).map {
            RawColumn(name: $0 == labelIndex ? "label" : "c\($0)", kind: .numeric)
        }
        let builder = try RawTableBuilder(
            columns: columns, labelIndex: labelIndex,
            spillPath: spillDirectory.appendingPathComponent("rows.spill").path)
        let rowBytes = header.columns * header.elementSize
        let chunkRows = max(1, (1 << 22) / rowBytes)
        let chunk = UnsafeMutableRawPointer.allocate(byteCount: chunkRows * rowBytes, alignment: 16)
        defer { chunk.deallocate() }
        var r = 0
        while r < header.rows {
            let n = min(chunkRows, header.rows - r)
            try reader.readExactly(
                into: chunk, count: n * rowBytes, offset: Int64(header.dataOffset) + Int64(r) * Int64(rowBytes))
            for k in 0..<n {
                for c in 0..<header.columns {
                    let v = Self.element(chunk + (k * header.columns + c) * header.elementSize, header.dtype)
                    if !v.isFinite, !options.allowNonFinite || c == labelIndex {
                        throw DatasetError.nonFiniteValue(
                            at: SourcePosition(
                                file: file, line: nil, column: c + 1, columnName: "row \(r + k), \(columns[c].name)"),
                            text: String(v))
                    }
                    builder.row[c] = v
                }
                try builder.commitRow()
            }
            r += n
        }
        return builder
    }

    @inline(__always)
    static func element(_ p: UnsafeRawPointer, _ dtype: String) -> Float {
        switch dtype {
        case "f4": return Float(bitPattern: UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
        case "f8": return Float(Double(bitPattern: UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))))
        case "i1": return Float(p.load(as: Int8.self))
        case "u1": return Float(p.load(as: UInt8.self))
        case "i2": return Float(Int16(littleEndian: p.loadUnaligned(as: Int16.self)))
        case "u2": return Float(UInt16(littleEndian: p.loadUnaligned(as: UInt16.self)))
        case "i4": return Float(Int32(littleEndian: p.loadUnaligned(as: Int32.self)))
        case "u4": return Float(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
        case "i8": return Float(Int64(littleEndian: p.loadUnaligned(as: Int64.self)))
        default: return Float(UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)))
        }
    }
}
