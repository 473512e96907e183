import Foundation

/// The layout of `data.bin`, format version 1 (all integers little-endian):
///
/// ```
/// offset 0     8 bytes  magic "TYDATA01"
///        8     u32      format version (1)
///        12    u32      features per row (F)
///        16    u64      rows (N)
///        24    u32      rows per block (R, a multiple of 16)
///        28    u32      header size (4096; blocks start here, page aligned)
///        32..4095       zero
/// 4096   blocks: block b holds rows [b·R, min((b+1)·R, N)) as n·F Float32 features (row-major)
///        followed by n Float32 labels; every block but the last has n = R, so block b starts
///        at 4096 + b·R·(F+1)·4 and any row range is reachable by offset.
/// ```
/// Labels are class indices for classification, values for regression, NaN when unlabelled.
package struct DataFileLayout: Sendable, Equatable {
    package static let magic: [UInt8] = Array("TYDATA01".utf8)
    package static let formatVersion: UInt32 = 1
    package static let headerSize = 4096

    package let features: Int
    package let rows: Int
    package let rowsPerBlock: Int

    /// The layout for `rows` rows of `features` features: blocks of about 4 MiB.
    package init(features: Int, rows: Int) {
        self.features = features
        self.rows = rows
        let rowBytes = (features + 1) * 4
        let target = max(16, (1 << 22) / rowBytes)
        rowsPerBlock = min(65_536, target / 16 * 16)
    }

    init(features: Int, rows: Int, rowsPerBlock: Int) {
        self.features = features
        self.rows = rows
        self.rowsPerBlock = rowsPerBlock
    }

    /// Number of blocks (the last may be partial).
    package var blockCount: Int { rows == 0 ? 0 : (rows + rowsPerBlock - 1) / rowsPerBlock }

    /// Rows in block `b`.
    package func rowsInBlock(_ b: Int) -> Int { min(rowsPerBlock, rows - b * rowsPerBlock) }

    /// Byte offset of block `b`.
    package func blockOffset(_ b: Int) -> Int { Self.headerSize + b * rowsPerBlock * (features + 1) * 4 }

    /// Byte offset of row `r`'s features.
    package func featureOffset(row r: Int) -> Int {
        let b = r / rowsPerBlock
        return blockOffset(b) + (r - b * rowsPerBlock) * features * 4
    }

    /// Byte offset of row `r`'s label.
    package func labelOffset(row r: Int) -> Int {
        let b = r / rowsPerBlock
        return blockOffset(b) + rowsInBlock(b) * features * 4 + (r - b * rowsPerBlock) * 4
    }

    /// Total file size in bytes.
    package var fileSize: Int { Self.headerSize + rows * (features + 1) * 4 }

    /// The 4096 header bytes.
    package func headerBytes() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Self.headerSize)
        func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
            withUnsafeBytes(of: value.littleEndian) { raw in
                for (i, b) in raw.enumerated() { bytes[offset + i] = b }
            }
        }
        for (i, b) in Self.magic.enumerated() { bytes[i] = b }
        put(Self.formatVersion, at: 8)
        put(UInt32(features), at: 12)
        put(UInt64(rows), at: 16)
        put(UInt32(rowsPerBlock), at: 24)
        put(UInt32(Self.headerSize), at: 28)
        return bytes
    }

    /// Parses and checks a header; `path` names the file in errors.
    package static func parse(header: UnsafeRawBufferPointer, fileSize: Int, path: String) throws -> DataFileLayout {
        guard header.count >= 32, Array(header[0..<8]) == magic else {
            throw DatasetError.corruptVersion(path: path, detail: "bad magic number (expected \"TYDATA01\")")
        }
        func get<T: FixedWidthInteger>(_ type: T.Type, _ offset: Int) -> T {
            T(littleEndian: header.loadUnaligned(fromByteOffset: offset, as: T.self))
        }
        let version = get(UInt32.self, 8)
        guard version == formatVersion else {
            throw DatasetError.corruptVersion(
                path: path, detail: "format version \(version), expected \(formatVersion)")
        }
        let layout = DataFileLayout(
            features: Int(get(UInt32.self, 12)), rows: Int(get(UInt64.self, 16)),
            rowsPerBlock: Int(get(UInt32.self, 24)))
        guard get(UInt32.self, 28) == UInt32(headerSize), layout.rowsPerBlock > 0,
            layout.fileSize == fileSize
        else {
            throw DatasetError.corruptVersion(
                path: path,
                detail: "header says \(layout.rows) rows × \(layout.features) features "
                    + "(\(layout.fileSize) bytes) but the file has \(fileSize) bytes")
        }
        return layout
    }
}

/// `manifest.json`: what a stored version is and where it came from.
package struct DatasetManifest: Sendable, Codable, Equatable {
    package var formatVersion: Int
    package var digest: String
    package var rows: Int
    package var features: Int
    package var rowsPerBlock: Int
    /// "csv", "libsvm", "npy" or "generated".
    package var sourceFormat: String
    /// The imported file (absolute path) or a description of the generator.
    package var source: String
    package var createdAt: Date
}
