import Foundation
import GradientCore

/// Writes Float32 tensors in the safetensors format, atomically.
///
/// Layout: 8-byte little-endian header length, the JSON header (padded with spaces so the data
/// starts 8-byte aligned), then the tensors' bytes back to back in header order (all F32, so
/// sorting by dtype size is moot; tensors are ordered by name as writers do).
public enum SafetensorsWriter {
    /// The file bytes for `parameters` laid out by `layout`, with string `metadata`.
    public static func encode(parameters: [Float], layout: ParameterLayout, metadata: [String: String] = [:]) -> [UInt8] {
        precondition(parameters.count == layout.count, "parameters do not match the layout")
        let entries = layout.entries.sorted { $0.name < $1.name }
        var header = "{"
        var parts: [String] = []
        if !metadata.isEmpty {
            let meta = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }.joined(separator: ",")
            parts.append("\"__metadata__\":{\(meta)}")
        }
        var offset = 0
        for e in entries {
            let bytes = e.count * 4
            let shape = e.shape.map(String.init).joined(separator: ",")
            parts.append("\(jsonString(e.name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        header += parts.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while (8 + headerBytes.count) % 8 != 0 { headerBytes.append(0x20) }
        var out = [UInt8]()
        out.reserveCapacity(8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out.append(contentsOf: $0) }
        out += headerBytes
        for e in entries {
            out += ParameterLayout.littleEndianBytes(Array(parameters[e.range]))
        }
        return out
    }

    /// Writes the file at `url` via a temporary file in the same directory, fsync and rename.
    public static func write(_ bytes: [UInt8], to url: URL) throws {
        try AtomicFile.write(bytes, to: url)
    }

    private static func jsonString(_ s: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes])
        let text = data.map { String(decoding: $0, as: UTF8.self) } ?? "[\"\"]"
        return String(text.dropFirst().dropLast())
    }
}

/// Whole-file writes that never leave a half-written file behind.
public enum AtomicFile {
    /// Writes `bytes` to a temporary file beside `url`, fsyncs it, renames it over `url`, and
    /// fsyncs the directory.
    public static func write(_ bytes: [UInt8], to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw POSIXFailure(call: "open", path: temporary.path) }
        var written = 0
        let ok: Bool = bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 { if errno == EINTR { continue }; return false }
                written += n
            }
            return fsync(fd) == 0
        }
        let failure = ok ? nil : POSIXFailure(call: "write", path: temporary.path)
        close(fd)
        if let failure {
            unlink(temporary.path)
            throw failure
        }
        guard rename(temporary.path, url.path) == 0 else {
            let error = POSIXFailure(call: "rename", path: url.path)
            unlink(temporary.path)
            throw error
        }
        let dfd = open(directory.path, O_RDONLY)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }
}

/// A failed system call on a path.
public struct POSIXFailure: Error, CustomStringConvertible {
    public let call: String
    public let path: String
    public let code: Int32
    init(call: String, path: String) {
        self.call = call
        self.path = path
        self.code = errno
    }
    public var description: String { "\(call) \(path): \(String(cString: strerror(code)))" }
}
