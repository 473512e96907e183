import Datasets
import Foundation
import Testing

@Suite struct LIBSVMTests {
    @Test func readsSparseRowsOneBased() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let url = try f.write("d.svm", "+1 1:0.5 3:2 # comment\n-1 qid:4 2:1.5\n\n+1 3:-1\n")
        let outcome = try f.importFile(url)
        #expect(outcome.schema.features == ["f1", "f2", "f3"])
        #expect(outcome.schema.label?.classNames == ["-1", "1"])
        let (features, labels) = try f.store.open(digest: outcome.digest).rows(0..<3)
        #expect(features == [0.5, 0, 2, 0, 1.5, 0, 0, 0, -1])
        #expect(labels == [1, 0, 1])
        #expect(outcome.manifest.sourceFormat == "libsvm")
    }

    @Test func indexZeroWithOneBasedIndicesNamesLineAndToken() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let url = try f.write("z.svm", "1 1:2\n0 0:1 2:3\n")
        let error = datasetError { _ = try f.importFile(url) }
        guard case .malformed(let at, let detail)? = error else {
            Issue.record("expected malformed, got \(String(describing: error))")
            return
        }
        #expect(at.line == 2 && at.column == 2)
        #expect(detail.contains("feature index 0") && detail.contains("1-based"))
        #expect(f.storeEntries().isEmpty)
        let zeroBased = try f.importFile(url) { $0.zeroBasedIndices = true }
        #expect(zeroBased.schema.features == ["f0", "f1", "f2"])
    }

    @Test func badTokensAreUnparsable() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let url = try f.write("b.svm", "1 1:2\n1 2:x\n")
        #expect(
            datasetError { _ = try f.importFile(url) }
                == .unparsableValue(
                    at: SourcePosition(file: url.path, line: 2, column: 2, columnName: "f2"),
                    text: "x", expected: "a number after ':'"))
    }
}

@Suite struct NPYTests {
    @Test func readsFloat64Matrix() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let values: [Double] = [1, 2, 0, 3, 4, 1, 5, 6, 0]
        let url = try f.write(
            "m.npy", bytes: npyBytes(descr: "<f8", shape: [3, 3], payload: littleEndianBytes(values)))
        let outcome = try f.importFile(url)
        #expect(outcome.schema.features == ["c0", "c1"])
        #expect(outcome.schema.label?.task == .classification)
        let (features, labels) = try f.store.open(digest: outcome.digest).rows(0..<3)
        #expect(features == [1, 2, 3, 4, 5, 6] && labels == [0, 1, 0])
    }

    @Test func zeroByteFileIsEmpty() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let url = try f.write("e.npy", bytes: [])
        #expect(datasetError { _ = try f.importFile(url) } == .emptyFile(file: url.path))
    }

    @Test func wrongMagicNumberIsRejected() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        var bytes = npyBytes(descr: "<f4", shape: [1, 2], payload: littleEndianBytes([Float(1), 2]))
        bytes[1] = 0x58
        let url = try f.write("bad.npy", bytes: bytes)
        guard case .malformed(_, let detail)? = datasetError({ _ = try f.importFile(url) }) else {
            Issue.record("expected malformed")
            return
        }
        #expect(detail.contains("wrong magic number"))
        #expect(f.storeEntries().isEmpty)
    }

    @Test func truncatedFortranAndUnsupportedArraysAreRejected() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let short = try f.write(
            "short.npy", bytes: npyBytes(descr: "<f4", shape: [3, 2], payload: littleEndianBytes([Float(1), 2])))
        let fortran = try f.write(
            "f.npy",
            bytes: npyBytes(descr: "<f4", shape: [1, 2], payload: littleEndianBytes([Float(1), 2]), fortran: true))
        let bigEndian = try f.write(
            "be.npy", bytes: npyBytes(descr: ">f4", shape: [1, 2], payload: littleEndianBytes([Float(1), 2])))
        for url in [short, fortran, bigEndian] {
            guard case .malformed? = datasetError({ _ = try f.importFile(url) }) else {
                Issue.record("\(url.lastPathComponent) must be rejected")
                continue
            }
        }
    }

    @Test func nonFiniteValuesAreRejected() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let url = try f.write(
            "nan.npy",
            bytes: npyBytes(descr: "<f4", shape: [2, 2], payload: littleEndianBytes([Float(1), 0, .nan, 1])))
        guard case .nonFiniteValue? = datasetError({ _ = try f.importFile(url) }) else {
            Issue.record("expected nonFiniteValue")
            return
        }
    }
}
