/// Worker → coordinator: "send me these bytes of this dataset version" (no shared file system needed).
///
/// Header (80 bytes): datasetDigest 32, offset 64, length 72 (1 ... 16 MiB), reserved 76.
package struct DataChunkRequest: WireBody, Equatable {
    static let kind = MessageKind.dataChunkRequest

    /// The dataset version (content digest of the stored dataset object).
    package var datasetDigest: ContentDigest
    /// The first byte wanted.
    package var offset: UInt64
    /// How many bytes (1 ... 16 MiB); the reply may be shorter at the end of the object.
    package var length: UInt32

    /// Creates a request.
    package init(datasetDigest: ContentDigest, offset: UInt64, length: UInt32) {
        self.datasetDigest = datasetDigest
        self.offset = offset
        self.length = length
    }

    func write(header: inout FieldWriter, metadata: inout FieldWriter) {
        header.raw(datasetDigest.bytes)
        header.u64(offset)
        header.u32(length)
        header.zeros(4)
    }

    static func read(header: inout FieldReader, metadata: inout FieldReader, payload: inout PayloadSource)
        throws(ProtocolError) -> DataChunkRequest
    {
        let digest = try header.digest("datasetDigest")
        let offset = try header.u64("offset")
        let length = try header.u32(
            "length", from: 1, through: min(UInt64(WireConstants.maxChunkBytes), UInt64.max - offset))
        try header.reserved(4)
        return DataChunkRequest(datasetDigest: digest, offset: offset, length: length)
    }
}

/// Coordinator → worker: bytes of a dataset version, answering a `dataChunkRequest`.
///
/// Header (88 bytes): datasetDigest 32, offset 64, totalBytes 72, length 80, reserved 84.
/// Payload: one frame of exactly `length` raw bytes (none when `length` is 0, i.e. at the end).
/// The worker verifies the whole object against the digest once it has every byte.
package struct DataChunk: WireBody, Equatable {
    static let kind = MessageKind.dataChunk

    /// The dataset version.
    package var datasetDigest: ContentDigest
    /// Where ``bytes`` start in the object.
    package var offset: UInt64
    /// The object's total size in bytes.
    package var totalBytes: UInt64
    /// The bytes (at most 16 MiB; `offset + bytes.count ≤ totalBytes`).
    package var bytes: [UInt8]

    /// Creates a chunk.
    package init(datasetDigest: ContentDigest, offset: UInt64, totalBytes: UInt64, bytes: [UInt8]) {
        self.datasetDigest = datasetDigest
        self.offset = offset
        self.totalBytes = totalBytes
        self.bytes = bytes
    }

    var bytePayload: [UInt8]? { bytes }

    func write(header: inout FieldWriter, metadata: inout FieldWriter) {
        header.raw(datasetDigest.bytes)
        header.u64(offset)
        header.u64(totalBytes)
        header.u32(UInt32(clamping: bytes.count))
        header.zeros(4)
    }

    static func read(header: inout FieldReader, metadata: inout FieldReader, payload: inout PayloadSource)
        throws(ProtocolError) -> DataChunk
    {
        let digest = try header.digest("datasetDigest")
        let offset = try header.u64("offset")
        let total = try header.u64("totalBytes", from: offset, through: UInt64.max)
        let length = try header.u32(
            "length", from: 0, through: min(UInt64(WireConstants.maxChunkBytes), total - offset))
        try header.reserved(4)
        let bytes = try payload.bytes(length: Int(length), kind: kind)
        return DataChunk(datasetDigest: digest, offset: offset, totalBytes: total, bytes: bytes)
    }
}
