import Datasets
import Foundation
import TrainyardTestSupport

/// A temporary store plus helpers to write source files into it.
struct StoreFixture {
    let directory: TemporaryDirectory
    let store: DatasetStore

    init(_ label: String = "datasets") throws {
        directory = try TemporaryDirectory(label)
        store = DatasetStore(root: directory.file("datasets"))
    }

    /// Writes `text` to `name` and returns its URL.
    func write(_ name: String, _ text: String) throws -> URL {
        let url = directory.file(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    func write(_ name: String, bytes: [UInt8]) throws -> URL {
        let url = directory.file(name)
        try Data(bytes).write(to: url)
        return url
    }

    /// Imports with options built by `configure`.
    func importFile(_ url: URL, format: SourceFormat? = nil, _ configure: (inout ImportOptions) -> Void = { _ in })
        throws -> ImportOutcome
    {
        var options = ImportOptions()
        configure(&options)
        return try store.importFile(at: url, format: format, options: options)
    }

    /// Entries of the store directory, hidden ones included (to prove nothing was left behind).
    func storeEntries() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: store.root.path)) ?? []
    }

    func remove() { directory.remove() }
}

/// Runs `body` and returns the DatasetError it throws, or nil.
func datasetError(_ body: () throws -> Void) -> DatasetError? {
    do { try body() } catch let error as DatasetError { return error } catch { return nil }
    return nil
}

/// A minimal .npy file (format 1.0) holding `values` with the given descr and shape.
func npyBytes(descr: String, shape: [Int], payload: [UInt8], fortran: Bool = false) -> [UInt8] {
    let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shapeText), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    let length = UInt16(header.utf8.count)
    return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8)
        + payload
}

func littleEndianBytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
}

func littleEndianBytes(_ values: [Double]) -> [UInt8] {
    values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
}
