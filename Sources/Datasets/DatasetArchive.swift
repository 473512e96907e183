import Crypto
import Foundation

/// A stored dataset version as one byte stream, for sending it to a machine that does not have
/// it (a worker without a shared file system).
///
/// Layout (little-endian): magic `TYARCH01`, u32 file count, then per file u16 name length, the
/// UTF-8 name, u64 size; then the files' bytes in the same order. Files: manifest.json,
/// schema.json, stats.json, data.bin. The receiver checks the digest of what it got before the
/// version becomes visible in its store.
package struct DatasetArchive: Sendable {
    package static let magic = Array("TYARCH01".utf8)
    static let fileNames = ["manifest.json", "schema.json", "stats.json", "data.bin"]

    let files: [(name: String, url: URL, size: UInt64)]
    /// The index that precedes the files' bytes.
    let index: [UInt8]
    /// Total bytes of the stream.
    package let totalBytes: UInt64

    /// The archive of the version stored in `directory`.
    /// - Throws: ``DatasetError`` when a file is missing.
    package init(directory: URL) throws {
        var files: [(String, URL, UInt64)] = []
        var index = Self.magic
        Self.append(UInt32(Self.fileNames.count), to: &index)
        for name in Self.fileNames {
            let url = directory.appendingPathComponent(name)
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
                let size = (attributes[.size] as? NSNumber)?.uint64Value
            else {
                throw DatasetError.invalidRequest("dataset version at \(directory.path) has no \(name)")
            }
            files.append((name, url, size))
            Self.append(UInt16(name.utf8.count), to: &index)
            index += Array(name.utf8)
            Self.append(size, to: &index)
        }
        self.files = files
        self.index = index
        totalBytes = UInt64(index.count) + files.reduce(0) { $0 + $1.2 }
    }

    /// Up to `length` bytes of the stream from `offset` (fewer at the end; none past it).
    package func read(offset: UInt64, length: Int) throws -> [UInt8] {
        guard offset < totalBytes, length > 0 else { return [] }
        var out: [UInt8] = []
        out.reserveCapacity(min(length, Int(totalBytes - offset)))
        var position = offset
        let end = min(offset + UInt64(length), totalBytes)
        if position < UInt64(index.count) {
            let stop = min(end, UInt64(index.count))
            out += index[Int(position)..<Int(stop)]
            position = stop
        }
        var fileStart = UInt64(index.count)
        for file in files where position < end {
            let fileEnd = fileStart + file.size
            if position < fileEnd {
                let handle = try FileHandle(forReadingFrom: file.url)
                defer { try? handle.close() }
                try handle.seek(toOffset: position - fileStart)
                let count = Int(min(end, fileEnd) - position)
                let data = try handle.read(upToCount: count) ?? Data()
                guard data.count == count else {
                    throw DatasetError.invalidRequest("\(file.url.path) is shorter than its recorded size")
                }
                out += data
                position += UInt64(count)
            }
            fileStart = fileEnd
        }
        return out
    }

    static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }
}

/// Receives a ``DatasetArchive`` stream into a store: chunks in any order, then a digest check,
/// then an atomic install. Nothing becomes visible in the store unless every byte arrived and
/// the content matches the expected digest.
package final class DatasetArchiveReceiver {
    package let digest: String
    package let totalBytes: UInt64
    let store: DatasetStore
    let partial: URL
    let handle: FileHandle
    private var received: UInt64 = 0
    private var ranges: [Range<UInt64>] = []

    /// Starts receiving `totalBytes` for `digest` into a temporary file inside the store.
    package init(store: DatasetStore, digest: String, totalBytes: UInt64) throws {
        guard totalBytes <= 1 << 40 else {
            throw DatasetError.invalidRequest("dataset stream of \(totalBytes) bytes is too large")
        }
        self.store = store
        self.digest = digest
        self.totalBytes = totalBytes
        try FileManager.default.createDirectory(at: store.root, withIntermediateDirectories: true)
        partial = store.root.appendingPathComponent(".download-\(digest.prefix(12))-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: partial.path, contents: nil) else {
            throw DatasetError.invalidRequest("cannot create \(partial.path)")
        }
        handle = try FileHandle(forWritingTo: partial)
    }

    deinit {
        try? handle.close()
        try? FileManager.default.removeItem(at: partial)
    }

    /// True when every byte has arrived.
    package var isComplete: Bool { received == totalBytes }

    /// Stores bytes at `offset`; overlapping or out-of-range chunks are rejected.
    package func write(offset: UInt64, bytes: [UInt8]) throws {
        let range = offset..<(offset + UInt64(bytes.count))
        guard range.upperBound <= totalBytes else {
            throw DatasetError.invalidRequest("chunk \(range) lies outside the \(totalBytes)-byte dataset stream")
        }
        guard !ranges.contains(where: { $0.overlaps(range) }) else { return }  // a duplicate: ignore
        try handle.seek(toOffset: offset)
        try handle.write(contentsOf: bytes)
        ranges.append(range)
        received += UInt64(bytes.count)
    }

    /// Unpacks, checks the digest and installs the version; returns its directory.
    /// - Throws: ``DatasetError`` when the stream is malformed or its content does not match the digest.
    package func install() throws -> URL {
        guard isComplete else {
            throw DatasetError.invalidRequest("dataset stream incomplete: \(received) of \(totalBytes) bytes")
        }
        try handle.synchronize()
        let staging = store.root.appendingPathComponent(".incoming-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: staging) }
        let reader = try FileHandle(forReadingFrom: partial)
        defer { try? reader.close() }
        func take(_ n: Int) throws -> [UInt8] {
            let data = try reader.read(upToCount: n) ?? Data()
            guard data.count == n else { throw DatasetError.invalidRequest("dataset stream truncated") }
            return Array(data)
        }
        func integer<T: FixedWidthInteger>(_: T.Type) throws -> T {
            try take(MemoryLayout<T>.size).withUnsafeBytes { T(littleEndian: $0.loadUnaligned(as: T.self)) }
        }
        guard try take(8) == DatasetArchive.magic else {
            throw DatasetError.invalidRequest("not a dataset stream (bad magic)")
        }
        let count = try integer(UInt32.self)
        guard count == DatasetArchive.fileNames.count else {
            throw DatasetError.invalidRequest("dataset stream lists \(count) files")
        }
        var entries: [(String, UInt64)] = []
        for _ in 0..<count {
            let length = Int(try integer(UInt16.self))
            let name = String(decoding: try take(length), as: UTF8.self)
            guard DatasetArchive.fileNames.contains(name) else {
                throw DatasetError.invalidRequest("unexpected file \(name) in dataset stream")
            }
            entries.append((name, try integer(UInt64.self)))
        }
        for (name, size) in entries {
            let target = staging.appendingPathComponent(name)
            guard FileManager.default.createFile(atPath: target.path, contents: nil) else {
                throw DatasetError.invalidRequest("cannot create \(target.path)")
            }
            let out = try FileHandle(forWritingTo: target)
            var left = size
            while left > 0 {
                let piece = try take(Int(min(left, 8 << 20)))
                try out.write(contentsOf: piece)
                left -= UInt64(piece.count)
            }
            try out.synchronize()
            try out.close()
        }
        // The digest as the importer defines it: prefix, canonical schema, data.bin.
        let version = try DatasetVersion(directory: staging)
        var full = try DatasetDigest(schema: version.schema)
        let dataURL = staging.appendingPathComponent("data.bin")
        let dataHandle = try FileHandle(forReadingFrom: dataURL)
        defer { try? dataHandle.close() }
        while let piece = try dataHandle.read(upToCount: 8 << 20), !piece.isEmpty { full.update(piece) }
        let actual = full.finalize()
        guard actual == digest else {
            throw DatasetError.invalidRequest(
                "received dataset content has digest \(actual.prefix(12)), expected \(digest.prefix(12))")
        }
        let final = store.directory(digest: digest)
        if store.contains(digest: digest) { return final }
        guard rename(staging.path, final.path) == 0 else {
            throw DatasetError.invalidRequest(
                "cannot install dataset at \(final.path): \(String(cString: strerror(errno)))")
        }
        return final
    }
}
