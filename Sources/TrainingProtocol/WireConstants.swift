/// Fixed numbers of the Trainyard training protocol: version, magic and limits.
///
/// Every limit here is part of the wire contract (see `docs/PROTOCOL.md`); a peer
/// that exceeds one is rejected with a ``ProtocolError`` naming the limit.
package enum WireConstants {
    /// The protocol version this module speaks. Peers must match exactly; see the versioning policy.
    package static let protocolVersion: UInt16 = 2

    /// The four magic bytes at offset 0 of every header frame: ASCII `TYRD`.
    package static let magic: [UInt8] = [0x54, 0x59, 0x52, 0x44]

    /// Size in bytes of the common header prefix shared by every message kind (and frozen across versions).
    package static let commonHeaderSize = 32

    /// Largest frame of any kind, in bytes: 16 MiB.
    package static let maxFrameBytes = 16 * 1024 * 1024

    /// Largest number of Float32 elements in one payload frame (16 MiB / 4 bytes).
    package static let maxFrameElements = maxFrameBytes / MemoryLayout<UInt32>.size

    /// Largest parameter count a message may declare: 2^32 elements (16 GiB of Float32).
    package static let maxParameterCount = 1 << 32

    /// Largest number of frames in one message: header, metadata and the payload frames of the largest model.
    package static let maxFrames = 2 + maxParameterCount / maxFrameElements

    /// Longest host name, in UTF-8 bytes.
    package static let maxHostNameBytes = 255

    /// Longest human-readable text (refusal, shutdown and error messages), in UTF-8 bytes.
    package static let maxTextBytes = 4096

    /// Longest job configuration carried by an accept message, in UTF-8 bytes: 1 MiB.
    package static let maxJobConfigBytes = 1024 * 1024

    /// Largest number of cached dataset digests a worker may announce.
    package static let maxCachedDatasets = 1024

    /// Largest number of micro-shards per global batch (and per assignment).
    package static let maxMicroShards = 65_536

    /// Largest number of local steps in one local-SGD round.
    package static let maxLocalSteps = 1_000_000

    /// Largest number of threads a worker may announce.
    package static let maxThreads = 65_536

    /// Longest shared-memory path a worker may offer, in UTF-8 bytes.
    package static let maxPathBytes = 4096

    /// Largest number of gradient slots in a worker's shared-memory segment.
    package static let maxSharedSlots = 64

    /// Largest data chunk, in bytes: one frame.
    package static let maxChunkBytes = maxFrameBytes
}
