/// Worker → coordinator: the gradient sum of one micro-shard subtree (sync, async modes).
///
/// Header (88 bytes): step 32, parameterVersion 40, exampleCount 48, lossSum 56 (f64),
/// firstMicroShard 64, microShardCount 68, microShardsPerBatch 72, sharedSlot 76, parameterCount 80.
/// Payload: the gradient sum (not mean) over the subtree's examples; none when `sharedSlot` ≠ 0, in
/// which case the sum is in slot `sharedSlot − 1` of the sender's attached shared-memory segment.
package struct GradientResult: WireBody, Equatable {
    static let kind = MessageKind.gradientResult

    /// The step of the assignment.
    package var step: UInt64
    /// The parameter version the gradient was computed against (≥ 1).
    package var parameterVersion: UInt64
    /// Examples summed over.
    package var exampleCount: UInt64
    /// Sum of per-example losses over the subtree, added along the subtree (finite).
    package var lossSum: Double
    /// The subtree's leaves: a node of ``MicroShardTree`` with `microShardsPerBatch` leaves.
    package var microShards: Range<Int>
    /// Leaves of the micro-shard tree for this step.
    package var microShardsPerBatch: Int
    /// The gradient sum in the model's flat layout (``FloatPayload/notCarried(count:)`` when it is
    /// in shared memory and not yet resolved).
    package var gradientSum: FloatPayload
    /// The slot of the sender's shared-memory segment holding the sum, or nil when the sum is in the
    /// message's payload frames.
    package var sharedSlot: Int?

    /// Creates a result.
    package init(
        step: UInt64, parameterVersion: UInt64, exampleCount: UInt64, lossSum: Double, microShards: Range<Int>,
        microShardsPerBatch: Int, gradientSum: FloatPayload, sharedSlot: Int? = nil
    ) {
        self.step = step
        self.parameterVersion = parameterVersion
        self.exampleCount = exampleCount
        self.lossSum = lossSum
        self.microShards = microShards
        self.microShardsPerBatch = microShardsPerBatch
        self.gradientSum = gradientSum
        self.sharedSlot = sharedSlot
    }

    var floatPayload: FloatPayload? { sharedSlot == nil ? gradientSum : nil }

    func write(header: inout FieldWriter, metadata: inout FieldWriter) {
        header.u64(step)
        header.u64(parameterVersion)
        header.u64(exampleCount)
        header.f64(lossSum)
        header.u32(UInt32(clamping: microShards.lowerBound))
        header.u32(UInt32(clamping: microShards.count))
        header.u32(UInt32(clamping: microShardsPerBatch))
        header.u32(sharedSlot.map { UInt32(clamping: $0 + 1) } ?? 0)
        header.u64(UInt64(gradientSum.count))
    }

    static func read(header: inout FieldReader, metadata: inout FieldReader, payload: inout PayloadSource)
        throws(ProtocolError) -> GradientResult
    {
        let step = try header.u64("step")
        let version = try header.u64("parameterVersion", in: 1...UInt64.max)
        let examples = try header.u64("exampleCount")
        let loss = try header.finite("lossSum", step: step)
        let first = try header.u32("firstMicroShard")
        let count = try header.u32("microShardCount")
        let perBatch = try header.u32("microShardsPerBatch", in: 1...UInt64(WireConstants.maxMicroShards))
        let tree = MicroShardTree(validatedLeafCount: Int(perBatch))
        let leaves = Int(first)..<(Int(first) + Int(count))
        guard tree.isSubtree(leaves) else {
            throw .outOfRange(
                header.position("firstMicroShard", at: 64), found: "leaves \(leaves.lowerBound)..<\(leaves.upperBound)",
                expected: "a subtree of the \(perBatch)-leaf micro-shard tree")
        }
        let slot = try header.u32("sharedSlot", in: 0...UInt64(WireConstants.maxSharedSlots))
        guard slot > 0 else {
            return GradientResult(
                step: step, parameterVersion: version, exampleCount: examples, lossSum: loss, microShards: leaves,
                microShardsPerBatch: Int(perBatch), gradientSum: try payload.floats(&header))
        }
        return GradientResult(
            step: step, parameterVersion: version, exampleCount: examples, lossSum: loss, microShards: leaves,
            microShardsPerBatch: Int(perBatch),
            gradientSum: .notCarried(count: try payload.declaredCount(&header)), sharedSlot: Int(slot) - 1)
    }
}

/// Why the coordinator discarded a result (a u16 code).
package enum RejectionReason: UInt16, Sendable, Hashable, CaseIterable {
    /// Computed against parameters more than `max_staleness` versions old (async): catch up and continue.
    case stale = 1
    /// The step is not in progress (already complete, or not started).
    case unknownStep = 2
    /// This subtree's result was already received.
    case duplicate = 3
    /// These micro-shards were not assigned to this worker.
    case notAssigned = 4
}

/// Coordinator → worker: a result was not used, and why.
///
/// Header (64 bytes): step 32, parameterVersion 40, currentVersion 48, reason 56 (u16), reserved 58..63.
package struct ResultRejected: WireBody, Equatable {
    static let kind = MessageKind.resultRejected

    /// The rejected result's step.
    package var step: UInt64
    /// The rejected result's parameter version.
    package var parameterVersion: UInt64
    /// The coordinator's current version (≥ 1): a stale worker catches up to it.
    package var currentVersion: UInt64
    /// Why.
    package var reason: RejectionReason

    /// Creates a rejection.
    package init(step: UInt64, parameterVersion: UInt64, currentVersion: UInt64, reason: RejectionReason) {
        self.step = step
        self.parameterVersion = parameterVersion
        self.currentVersion = currentVersion
        self.reason = reason
    }

    func write(header: inout FieldWriter, metadata: inout FieldWriter) {
        header.u64(step)
        header.u64(parameterVersion)
        header.u64(currentVersion)
        header.u16(reason.rawValue)
        header.zeros(6)
    }

    static func read(header: inout FieldReader, metadata: inout FieldReader, payload: inout PayloadSource)
        throws(ProtocolError) -> ResultRejected
    {
        let step = try header.u64("step")
        let version = try header.u64("parameterVersion")
        let current = try header.u64("currentVersion", in: 1...UInt64.max)
        let position = header.position("reason")
        let code = try header.u16("reason")
        guard let reason = RejectionReason(rawValue: code) else {
            throw .outOfRange(position, found: String(code), expected: "1...\(RejectionReason.allCases.count)")
        }
        try header.reserved(6)
        return ResultRejected(step: step, parameterVersion: version, currentVersion: current, reason: reason)
    }
}
