import Crypto
import Foundation
import HexText

/// The content digest of a dataset version: SHA-256 of `"trainyard-dataset-v1\n"`, the
/// schema's canonical JSON, `"\n"`, then the bytes of `data.bin` (see docs/FORMATS.md).
///
/// One definition for the importer, which hashes `data.bin` while writing it, and for the
/// receiver of a streamed version, which checks what arrived.
struct DatasetDigest {
    private var hasher = SHA256()

    /// Starts a digest for a version with `schema`; feed `data.bin` with ``update(_:)``.
    init(schema: DatasetSchema) throws {
        hasher.update(data: Array("trainyard-dataset-v1\n".utf8))
        hasher.update(data: try schema.canonicalJSON())
        hasher.update(data: Array("\n".utf8))
    }

    mutating func update<D: DataProtocol>(_ bytes: D) { hasher.update(data: bytes) }

    mutating func update(bufferPointer: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bufferPointer) }

    /// The digest as 64 lowercase hex digits.
    func finalize() -> String { HexText.encode(hasher.finalize()) }
}
