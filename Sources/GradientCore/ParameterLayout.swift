/// The layout of a model's parameters inside one flat, contiguous Float32 buffer.
///
/// Each entry is a named view `(name, offset, shape)`; entries are packed in order without gaps.
/// Gradients and optimizer state use the same layout, so a whole model is sent, summed and
/// checkpointed as one block. Weight matrices are row-major `[outputs, inputs]` (PyTorch order).
package struct ParameterLayout: Codable, Sendable, Hashable {
    /// One named tensor inside the flat buffer.
    package struct Entry: Codable, Sendable, Hashable {
        /// Tensor name, e.g. `weight`, `bias`, `layers.0.weight`.
        package let name: String
        /// Offset of the first element, in Float32 elements from the start of the buffer.
        package let offset: Int
        /// Shape, row-major.
        package let shape: [Int]
        /// Number of elements (product of `shape`).
        package var count: Int { shape.reduce(1, *) }
        /// Element range inside the flat buffer.
        package var range: Range<Int> { offset..<(offset + count) }
    }

    /// Entries in buffer order.
    package let entries: [Entry]
    /// Total number of Float32 elements.
    package let count: Int

    /// Packs the named shapes contiguously in the given order.
    package init(_ tensors: [(name: String, shape: [Int])]) {
        var offset = 0
        var entries: [Entry] = []
        for tensor in tensors {
            let entry = Entry(name: tensor.name, offset: offset, shape: tensor.shape)
            entries.append(entry)
            offset += entry.count
        }
        self.entries = entries
        self.count = offset
    }

    /// The entry called `name`, or nil.
    package subscript(name: String) -> Entry? {
        entries.first { $0.name == name }
    }

    /// The entry called `name`; throws if absent.
    package func entry(named name: String) throws(GradientCoreError) -> Entry {
        guard let entry = self[name] else {
            throw .invalidConfiguration(
                "no tensor named '\(name)' in layout \(entries.map(\.name))")
        }
        return entry
    }

    /// Throws unless `buffer` has exactly ``count`` elements.
    package func validate(_ what: String, count actual: Int) throws(GradientCoreError) {
        try requireShape(what, expected: [count], actual: [actual])
    }

    /// The little-endian Float32 bytes of `values`: the canonical form for fingerprints
    /// (`final_params_sha256`) and for files. O(n).
    package static func littleEndianBytes(_ values: [Float]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: values.count * 4)
        bytes.withUnsafeMutableBytes { raw in
            for (i, value) in values.enumerated() {
                raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self)
            }
        }
        return bytes
    }

    /// Decodes little-endian Float32 bytes; throws if the byte count is not a multiple of 4.
    package static func floats(fromLittleEndian bytes: [UInt8]) throws(GradientCoreError) -> [Float] {
        guard bytes.count % 4 == 0 else {
            throw .shapeMismatch(
                what: "Float32 byte buffer (bytes)", expected: [bytes.count / 4 * 4], actual: [bytes.count])
        }
        var values = [Float](repeating: 0, count: bytes.count / 4)
        bytes.withUnsafeBytes { raw in
            for i in values.indices {
                values[i] = Float(
                    bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
            }
        }
        return values
    }
}
