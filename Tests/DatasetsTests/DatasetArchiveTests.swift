import Foundation
import Testing
import TrainyardTestSupport

@testable import Datasets

/// Streaming a stored version to another store: chunks in any order, digest checked.
@Suite struct DatasetArchiveTests {
    func storedVersion(_ dir: TemporaryDirectory) throws -> (DatasetStore, String) {
        let store = DatasetStore(root: dir.file("a"))
        let outcome = try store.generate(
            SyntheticSpec(kind: .classification, rows: 3000, features: 7, classes: 3, seed: 4))
        return (store, outcome.digest)
    }

    @Test func chunksInAnyOrderInstallTheSameVersion() throws {
        let dir = try TemporaryDirectory("archive")
        defer { dir.remove() }
        let (source, digest) = try storedVersion(dir)
        let archive = try DatasetArchive(directory: source.directory(digest: digest))
        let target = DatasetStore(root: dir.file("b"))
        let receiver = try DatasetArchiveReceiver(store: target, digest: digest, totalBytes: archive.totalBytes)
        let chunk = 10_000
        var offsets = Array(stride(from: UInt64(0), to: archive.totalBytes, by: chunk))
        offsets.reverse()
        for offset in offsets {
            try receiver.write(offset: offset, bytes: try archive.read(offset: offset, length: chunk))
        }
        try receiver.write(offset: 0, bytes: try archive.read(offset: 0, length: chunk))  // a duplicate is harmless
        #expect(receiver.isComplete)
        _ = try receiver.install()
        let copy = try target.open(digest: digest)
        let original = try source.open(digest: digest)
        #expect(copy.rows(0..<copy.rowCount).features == original.rows(0..<original.rowCount).features)
        #expect(copy.labels() == original.labels())
    }

    @Test func corruptedOrIncompleteStreamsAreRefusedAndLeaveNothing() throws {
        let dir = try TemporaryDirectory("archive-bad")
        defer { dir.remove() }
        let (source, digest) = try storedVersion(dir)
        let archive = try DatasetArchive(directory: source.directory(digest: digest))
        let target = DatasetStore(root: dir.file("b"))
        let receiver = try DatasetArchiveReceiver(store: target, digest: digest, totalBytes: archive.totalBytes)
        var bytes = try archive.read(offset: 0, length: Int(archive.totalBytes))
        #expect(throws: DatasetError.self) { try receiver.install() }  // nothing received yet
        bytes[bytes.count - 3] ^= 0xFF  // flip bits in the last label
        try receiver.write(offset: 0, bytes: bytes)
        let error = try #require(throws: DatasetError.self) { try receiver.install() }
        #expect("\(error)".contains("digest"))
        #expect(!target.contains(digest: digest))
        #expect(throws: DatasetError.self) {
            try receiver.write(offset: archive.totalBytes - 1, bytes: [1, 2, 3])  // past the end
        }
    }
}
