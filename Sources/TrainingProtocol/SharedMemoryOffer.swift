/// Worker → coordinator: "my gradient results can be read from this shared-memory segment".
///
/// Sent once, after `accept`, by a worker on the coordinator's host that has mapped the job's
/// parameter segment (the `sharedParameters` path of the job configuration). The coordinator maps
/// the worker's segment, checks its header (magic, job id, worker identity, parameter count, slot
/// count and size) and marks it attached inside the segment; only then does the worker send
/// `gradientResult`s whose payload is a slot of the segment. An offer the coordinator cannot use is
/// logged and ignored: the worker keeps sending payload frames. See `docs/PROTOCOL.md`, "Shared memory".
///
/// Header (48 bytes): slotCount 32, reserved 36..39, parameterCount 40.
/// Metadata: the segment's path (≤ 4096 bytes).
package struct SharedMemoryOffer: WireBody, Equatable {
    static let kind = MessageKind.sharedMemoryOffer

    /// Gradient slots in the segment (1 ... ``WireConstants/maxSharedSlots``).
    package var slotCount: UInt32
    /// Float32 elements per slot: the model size.
    package var parameterCount: UInt64
    /// The segment's path on the shared host (a file in the coordinator's shared-memory directory).
    package var path: String

    /// Creates an offer.
    package init(slotCount: UInt32, parameterCount: UInt64, path: String) {
        self.slotCount = slotCount
        self.parameterCount = parameterCount
        self.path = path
    }

    func write(header: inout FieldWriter, metadata: inout FieldWriter) {
        header.u32(slotCount)
        header.zeros(4)
        header.u64(parameterCount)
        metadata.string(path)
    }

    static func read(header: inout FieldReader, metadata: inout FieldReader, payload: inout PayloadSource)
        throws(ProtocolError) -> SharedMemoryOffer
    {
        let slots = try header.u32("slotCount", in: 1...UInt64(WireConstants.maxSharedSlots))
        try header.reserved(4)
        let count = try payload.declaredCount(&header)
        let path = try metadata.string("path", limit: WireConstants.maxPathBytes)
        return SharedMemoryOffer(slotCount: slots, parameterCount: UInt64(count), path: path)
    }
}
