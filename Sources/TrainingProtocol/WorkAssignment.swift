/// How the job aggregates work; fixed per job, repeated in each assignment.
package enum TrainingMode: UInt8, Sendable, Hashable, CaseIterable {
    /// Synchronous data-parallel SGD: one global batch per step, summed along the micro-shard tree.
    case sync = 1
    /// Asynchronous: results are applied as they arrive, if at most `max_staleness` versions old.
    case async = 2
    /// Local SGD: workers take K local steps, then the coordinator averages the parameters.
    case localSGD = 3
}

/// One micro-shard of a global batch: its leaf index in the micro-shard tree and its rows.
///
/// 16 bytes in metadata: index u32, rowCount u32, rowStart u64. Rows are positions in the epoch's
/// example order (defined by the job's seed and the epoch), not file offsets.
package struct MicroShard: Hashable, Sendable {
    /// The leaf index, 0 ..< microShardsPerBatch.
    package var index: UInt32
    /// The first row.
    package var rowStart: UInt64
    /// The number of rows (0 allowed: an empty leaf contributes a zero sum).
    package var rowCount: UInt32

    /// Creates a micro-shard.
    package init(index: UInt32, rowStart: UInt64, rowCount: UInt32) {
        self.index = index
        self.rowStart = rowStart
        self.rowCount = rowCount
    }
}

/// Coordinator → worker: compute these micro-shards against this parameter version.
///
/// Header (96 bytes): step 32, parameterVersion 40, epoch 48, microShardsPerBatch 52, mode 56,
/// reserved 57..59, localSteps 60, datasetDigest 64. Metadata: u32 count then `count` ``MicroShard``s.
/// The list is `localSteps` equal groups (one group in sync and async modes); within a group the
/// indices strictly increase.
package struct WorkAssignment: WireBody, Equatable {
    static let kind = MessageKind.workAssignment

    /// The step (sync, async) or round (local SGD) this work belongs to.
    package var step: UInt64
    /// The parameter version to compute against (≥ 1).
    package var parameterVersion: UInt64
    /// The epoch, which fixes the example order the row ranges refer to.
    package var epoch: UInt32
    /// Leaves of the micro-shard tree for this step (1...65,536).
    package var microShardsPerBatch: UInt32
    /// The job's mode.
    package var mode: TrainingMode
    /// Local steps per round: 1 except in local SGD.
    package var localSteps: UInt32
    /// The dataset version the rows belong to.
    package var datasetDigest: ContentDigest
    /// The micro-shards, `localSteps` groups in order.
    package var microShards: [MicroShard]

    /// Creates an assignment.
    package init(
        step: UInt64, parameterVersion: UInt64, epoch: UInt32, microShardsPerBatch: UInt32, mode: TrainingMode,
        localSteps: UInt32, datasetDigest: ContentDigest, microShards: [MicroShard]
    ) {
        self.step = step
        self.parameterVersion = parameterVersion
        self.epoch = epoch
        self.microShardsPerBatch = microShardsPerBatch
        self.mode = mode
        self.localSteps = localSteps
        self.datasetDigest = datasetDigest
        self.microShards = microShards
    }

    /// The micro-shards of local step `k`: the k-th of `localSteps` equal groups.
    /// Precondition: `0 ≤ k < localSteps` (always true of decoded assignments' valid `k`).
    package func microShards(localStep k: Int) -> ArraySlice<MicroShard> {
        let size = microShards.count / max(Int(localSteps), 1)
        return microShards[(k * size)..<((k + 1) * size)]
    }

    func write(header: inout FieldWriter, metadata: inout FieldWriter) {
        header.u64(step)
        header.u64(parameterVersion)
        header.u32(epoch)
        header.u32(microShardsPerBatch)
        header.u8(mode.rawValue)
        header.zeros(3)
        header.u32(localSteps)
        header.raw(datasetDigest.bytes)
        metadata.u32(UInt32(clamping: microShards.count))
        for shard in microShards {
            metadata.u32(shard.index)
            metadata.u32(shard.rowCount)
            metadata.u64(shard.rowStart)
        }
    }

    static func read(header: inout FieldReader, metadata: inout FieldReader, payload: inout PayloadSource)
        throws(ProtocolError) -> WorkAssignment
    {
        let step = try header.u64("step")
        let version = try header.u64("parameterVersion", in: 1...UInt64.max)
        let epoch = try header.u32("epoch")
        let perBatch = try header.u32("microShardsPerBatch", in: 1...UInt64(WireConstants.maxMicroShards))
        let modePosition = header.position("mode")
        let modeCode = try header.u8("mode")
        guard let mode = TrainingMode(rawValue: modeCode) else {
            throw .outOfRange(modePosition, found: String(modeCode), expected: "1 (sync), 2 (async) or 3 (localSGD)")
        }
        try header.reserved(3)
        let localRange: ClosedRange<UInt64> = mode == .localSGD ? 1...UInt64(WireConstants.maxLocalSteps) : 1...1
        let localSteps = try header.u32("localSteps", in: localRange)
        let digest = try header.digest("datasetDigest")

        let countPosition = metadata.position("microShards")
        let count = try metadata.listCount("microShards", elementSize: 16, limit: WireConstants.maxMicroShards)
        guard count > 0, count.isMultiple(of: Int(localSteps)) else {
            throw .outOfRange(
                countPosition, found: String(count), expected: "a positive multiple of localSteps (\(localSteps))")
        }
        let groupSize = count / Int(localSteps)
        var shards: [MicroShard] = []
        shards.reserveCapacity(count)
        for item in 0..<count {
            let indexPosition = metadata.position("microShards[\(item)].index")
            let index = try metadata.u32("microShards[\(item)].index", from: 0, through: UInt64(perBatch) - 1)
            if !item.isMultiple(of: groupSize), let previous = shards.last, previous.index >= index {
                throw .outOfRange(
                    indexPosition, found: String(index),
                    expected: "an index greater than \(previous.index) (strictly increasing)")
            }
            let rowCount = try metadata.u32("microShards[\(item)].rowCount")
            let rowStart = try metadata.u64(
                "microShards[\(item)].rowStart", from: 0, through: UInt64.max - UInt64(rowCount))
            shards.append(MicroShard(index: index, rowStart: rowStart, rowCount: rowCount))
        }
        return WorkAssignment(
            step: step, parameterVersion: version, epoch: epoch, microShardsPerBatch: perBatch, mode: mode,
            localSteps: localSteps, datasetDigest: digest, microShards: shards)
    }
}
