import Foundation
import GradientCore

/// One tensor to write: a name, a shape and its Float32 values (row-major). The values are a
/// slice, so a tensor that is part of a model's flat parameter array is written without copying.
package struct NamedTensor: Sendable {
    package var name: String
    package var shape: [Int]
    package var values: ArraySlice<Float>

    package init(name: String, shape: [Int], values: [Float]) {
        self.init(name: name, shape: shape, slice: values[...])
    }

    package init(name: String, shape: [Int], slice values: ArraySlice<Float>) {
        precondition(
            shape.reduce(1, *) == values.count, "tensor \(name): shape \(shape) does not hold \(values.count) values")
        self.name = name
        self.shape = shape
        self.values = values
    }

    /// The parameters of a model, one tensor per layout entry.
    package static func parameters(_ parameters: [Float], layout: ParameterLayout) -> [NamedTensor] {
        precondition(parameters.count == layout.count, "parameters do not match the layout")
        return layout.entries.map { NamedTensor(name: $0.name, shape: $0.shape, slice: parameters[$0.range]) }
    }
}

/// Reads and writes the safetensors format (https://huggingface.co/docs/safetensors).
///
/// Layout: 8-byte little-endian header length N, N bytes of JSON header (padded with spaces so
/// the data starts 8-byte aligned), then the tensors' bytes back to back. The header maps each
/// tensor name to `dtype`, `shape` and `data_offsets` (relative to the data section), plus an
/// optional `__metadata__` object of string values. Trainyard writes F32 tensors in name order
/// and adds `checksum_xxh64` (XXH64 of the data section, 16 hex digits) to the metadata, which
/// ``SafetensorsFile/parse(_:source:)`` verifies when present.
package enum SafetensorsWriter {
    /// The metadata key holding the data-section checksum.
    package static let checksumKey = "checksum_xxh64"

    /// The file bytes for `parameters` laid out by `layout`, with string `metadata` (no checksum).
    package static func encode(parameters: [Float], layout: ParameterLayout, metadata: [String: String] = [:])
        -> [UInt8]
    {
        let tensors = NamedTensor.parameters(parameters, layout: layout).sorted { $0.name < $1.name }
        var out = header(tensors, metadata: metadata)
        for t in tensors { out += ParameterLayout.littleEndianBytes(Array(t.values)) }
        return out
    }

    /// Writes `tensors` (sorted by name) with `metadata` plus a data checksum to `url`
    /// atomically: a temporary file beside it, written straight from the tensors' memory,
    /// fsync, rename, fsync of the directory. A failure leaves any previous file at `url` as it
    /// was and no temporary file behind.
    ///
    /// One pass over the data: each piece is hashed and then written while it is in cache; the
    /// header goes out first with a placeholder checksum that is patched in before the fsync.
    /// - Returns: the number of bytes written.
    @discardableResult
    package static func write(
        _ tensors: [NamedTensor], metadata: [String: String], to url: URL,
        fault: WriteFault? = nil
    ) throws -> Int {
        let sorted = tensors.sorted { $0.name < $1.name }
        let placeholder = String(repeating: "0", count: 16)
        var meta = metadata
        meta[checksumKey] = placeholder
        let head = header(sorted, metadata: meta)
        let marker = Array("\"\(checksumKey)\":\"\(placeholder)\"".utf8)
        guard let at = head.firstRange(of: marker)?.lowerBound else {
            preconditionFailure("checksum placeholder missing")
        }
        let checksumOffset = at + marker.count - 17
        return try AtomicFile.write(to: url, fault: fault) { sink in
            try head.withUnsafeBytes { try sink.write($0) }
            var hasher = XXH64()
            let piece = 1 << 20
            for t in sorted {
                try t.values.withUnsafeBytes { bytes in
                    var start = 0
                    while start < bytes.count {
                        let chunk = UnsafeRawBufferPointer(rebasing: bytes[start..<min(start + piece, bytes.count)])
                        hasher.update(chunk)
                        try sink.write(chunk)
                        start += chunk.count
                    }
                }
            }
            try Array(hasher.hexDigest.utf8).withUnsafeBytes { try sink.overwrite($0, at: checksumOffset) }
        }
    }

    /// The length prefix and padded JSON header for `tensors` in the given order.
    static func header(_ tensors: [NamedTensor], metadata: [String: String]) -> [UInt8] {
        var parts: [String] = []
        if !metadata.isEmpty {
            let meta = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }.joined(
                separator: ",")
            parts.append("\"__metadata__\":{\(meta)}")
        }
        var offset = 0
        for t in tensors {
            let bytes = t.values.count * 4
            let shape = t.shape.map(String.init).joined(separator: ",")
            parts.append(
                "\(jsonString(t.name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + bytes)]}"
            )
            offset += bytes
        }
        var headerBytes = Array(("{" + parts.joined(separator: ",") + "}").utf8)
        while (8 + headerBytes.count) % 8 != 0 { headerBytes.append(0x20) }
        var out = [UInt8]()
        out.reserveCapacity(8 + headerBytes.count)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out.append(contentsOf: $0) }
        return out + headerBytes
    }

    private static func jsonString(_ s: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes])
        let text = data.map { String(decoding: $0, as: UTF8.self) } ?? "[\"\"]"
        return String(text.dropFirst().dropLast())
    }
}

/// Why a safetensors file could not be read: the file and what is wrong with it.
package struct SafetensorsError: Error, CustomStringConvertible, Equatable, Sendable {
    package let source: String
    package let reason: String
    package var description: String { "\(source): \(reason)" }

    package init(source: String, reason: String) {
        self.source = source
        self.reason = reason
    }
}

/// A parsed safetensors file, every offset and size checked against the bytes it came with.
package struct SafetensorsFile: Sendable {
    /// A tensor's entry in the header.
    package struct Entry: Sendable, Equatable {
        package let name: String
        package let dtype: String
        package let shape: [Int]
        /// Byte range within the data section.
        package let range: Range<Int>
    }

    /// Header limit: a larger header is refused rather than allocated (the format's own limit is 100 MB).
    package static let maximumHeaderBytes = 100 << 20
    static let elementSizes: [String: Int] = [
        "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
        "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8,
    ]

    package let metadata: [String: String]
    /// Entries in data order.
    package let entries: [Entry]
    /// The whole file; the data section starts at ``dataStart``.
    let bytes: [UInt8]
    let dataStart: Int
    /// Whether the metadata carried a checksum (which then matched).
    package let checksumVerified: Bool

    /// Reads and validates the file at `url`.
    package static func read(_ url: URL) throws -> SafetensorsFile {
        guard let bytes = FileManager.default.contents(atPath: url.path) else {
            throw SafetensorsError(source: url.path, reason: "cannot read the file")
        }
        return try parse([UInt8](bytes), source: url.path)
    }

    /// Validates `bytes` as a safetensors file: header length within the file, JSON object,
    /// known dtypes, shapes matching byte sizes, offsets contiguous from 0 to the end of the
    /// file without overlap, and the checksum when the metadata has one.
    package static func parse(_ bytes: [UInt8], source: String) throws -> SafetensorsFile {
        func fail(_ reason: String) -> SafetensorsError { SafetensorsError(source: source, reason: reason) }
        guard bytes.count >= 8 else {
            throw fail("\(bytes.count) bytes is too short for a safetensors file (truncated?)")
        }
        let n = bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard n <= UInt64(maximumHeaderBytes) else {
            throw fail("header length \(n) exceeds the \(maximumHeaderBytes)-byte limit")
        }
        guard 8 + Int(n) <= bytes.count else {
            throw fail("header length \(n) runs past the end of the \(bytes.count)-byte file (truncated?)")
        }
        let headerBytes = bytes[8..<(8 + Int(n))]
        guard let object = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any] else {
            throw fail("the header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        if let meta = object["__metadata__"] {
            guard let dict = meta as? [String: Any] else { throw fail("__metadata__ is not an object") }
            for (k, v) in dict {
                guard let s = v as? String else { throw fail("__metadata__.\(k) is not a string") }
                metadata[k] = s
            }
        }
        let dataCount = bytes.count - 8 - Int(n)
        var entries: [Entry] = []
        for (name, value) in object where name != "__metadata__" {
            guard let info = value as? [String: Any] else { throw fail("tensor '\(name)' is not an object") }
            guard let dtype = info["dtype"] as? String, let size = elementSizes[dtype] else {
                throw fail("tensor '\(name)' has an unknown dtype \(info["dtype"].map { "\($0)" } ?? "(none)")")
            }
            guard let shapeList = info["shape"] as? [Any],
                let shape = shapeList.map({ ($0 as? NSNumber)?.intValue }) as? [Int],
                shape.allSatisfy({ $0 >= 0 })
            else { throw fail("tensor '\(name)' has an invalid shape") }
            guard let offsetList = info["data_offsets"] as? [Any], offsetList.count == 2,
                let begin = (offsetList[0] as? NSNumber)?.intValue, let end = (offsetList[1] as? NSNumber)?.intValue,
                0 <= begin, begin <= end, end <= dataCount
            else {
                throw fail("tensor '\(name)' has data_offsets outside the \(dataCount)-byte data section (truncated?)")
            }
            var elements = 1
            for d in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: d)
                guard !overflow else { throw fail("tensor '\(name)' shape \(shape) overflows") }
                elements = product
            }
            guard elements.multipliedReportingOverflow(by: size).partialValue == end - begin else {
                throw fail(
                    "tensor '\(name)' shape \(shape) of \(dtype) needs \(elements * size) bytes, data_offsets give \(end - begin)"
                )
            }
            entries.append(Entry(name: name, dtype: dtype, shape: shape, range: begin..<end))
        }
        entries.sort {
            ($0.range.lowerBound, $0.range.upperBound, $0.name) < ($1.range.lowerBound, $1.range.upperBound, $1.name)
        }
        var cursor = 0
        for e in entries {
            guard e.range.lowerBound == cursor else {
                throw fail(
                    e.range.lowerBound < cursor
                        ? "tensor '\(e.name)' overlaps the previous tensor"
                        : "a gap before tensor '\(e.name)' at byte \(cursor)")
            }
            cursor = e.range.upperBound
        }
        guard cursor == dataCount else {
            throw fail("the data section has \(dataCount) bytes but the tensors cover \(cursor) (truncated or padded)")
        }
        var verified = false
        if let expected = metadata[SafetensorsWriter.checksumKey] {
            var hasher = XXH64()
            bytes.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[(8 + Int(n))...])) }
            guard hasher.hexDigest == expected.lowercased() else {
                throw fail(
                    "checksum mismatch: the data hashes to \(hasher.hexDigest), the header says \(expected) (corrupt)")
            }
            verified = true
        }
        return SafetensorsFile(
            metadata: metadata, entries: entries, bytes: bytes, dataStart: 8 + Int(n),
            checksumVerified: verified)
    }

    /// The entry named `name`.
    package func entry(_ name: String) -> Entry? { entries.first { $0.name == name } }

    /// The values of the F32 tensor `name`.
    package func floats(_ name: String) throws -> [Float] {
        guard let e = entry(name) else {
            throw SafetensorsError(
                source: name, reason: "no tensor named '\(name)' (have \(entries.map(\.name).joined(separator: ", ")))")
        }
        guard e.dtype == "F32" else {
            throw SafetensorsError(source: name, reason: "tensor '\(name)' is \(e.dtype), expected F32")
        }
        return [Float](unsafeUninitializedCapacity: e.range.count / 4) { buffer, count in
            bytes.withUnsafeBytes { raw in
                let start = dataStart + e.range.lowerBound
                for i in 0..<(e.range.count / 4) {
                    buffer[i] = Float(
                        bitPattern: UInt32(
                            littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * i, as: UInt32.self)))
                }
            }
            count = e.range.count / 4
        }
    }

    /// The model parameters in `layout`'s flat order, each tensor checked against its shape.
    package func parameters(layout: ParameterLayout) throws -> [Float] {
        var out = [Float]()
        out.reserveCapacity(layout.count)
        for e in layout.entries {
            guard let stored = entry(e.name) else {
                throw SafetensorsError(
                    source: e.name, reason: "the file has no tensor '\(e.name)' that the model needs")
            }
            guard stored.shape == e.shape else {
                throw SafetensorsError(
                    source: e.name, reason: "tensor '\(e.name)' has shape \(stored.shape), the model needs \(e.shape)")
            }
            out += try floats(e.name)
        }
        return out
    }
}
