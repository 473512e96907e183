import TrainingProtocol

/// The sockets plus the coordinator's shared memory on this host: parameters read in place from
/// its ``SharedParameters`` segment, gradient sums written into this worker's own
/// ``SharedGradients`` slots once the coordinator has attached them.
///
/// Guarantees: a version read in place is used only if its slot still held it after the read
/// (else the computation is discarded and the worker asks on the control channel); a sum goes
/// into a slot only when one is free, otherwise into frames, so neither side waits for the other.
/// Until the coordinator attaches the segment, everything travels as with ``WorkerFrameExchange``.
package final class WorkerSharedExchange: WorkerExchange {
    let parameters: SharedParameters
    let gradients: SharedGradients

    init(parameters: SharedParameters, gradients: SharedGradients) {
        self.parameters = parameters
        self.gradients = gradients
    }

    /// Gradient slots per worker: results a worker can have in flight before it falls back to
    /// frames. Sync steps usually need one per worker; the slots are allocated in RAM up front, so
    /// models over 16 MiB get 2.
    static func slotCount(parameterCount: Int) -> Int { parameterCount * 4 <= 16 << 20 ? 4 : 2 }

    /// Maps the coordinator's parameter segment at `path` and creates this worker's gradient
    /// segment next to it; throws when either cannot be done from here (another host).
    static func open(
        path: String, jobID: JobID, worker: WorkerIdentity, processID: UInt32,
        parameterCount: Int
    ) throws(SharedMemoryError) -> WorkerSharedExchange {
        guard let slash = path.lastIndex(of: "/") else { throw SharedMemoryError("\(path) names no directory") }
        let parameters = try SharedParameters.open(path: path, jobID: jobID, parameterCount: parameterCount)
        let gradients = try SharedGradients.create(
            directory: String(path[..<slash]), jobID: jobID, worker: worker,
            processID: processID, parameterCount: parameterCount,
            slots: slotCount(parameterCount: parameterCount))
        return WorkerSharedExchange(parameters: parameters, gradients: gradients)
    }

    /// The message offering the gradient segment to the coordinator.
    var offer: SharedMemoryOffer {
        SharedMemoryOffer(
            slotCount: UInt32(gradients.slotCount), parameterCount: UInt64(gradients.parameterCount),
            path: gradients.path)
    }

    /// Removes the gradient segment's name (left only when the coordinator never attached it).
    func close() { gradients.remove() }

    package func holds(version: UInt64) -> Bool { parameters.holds(version: version) }

    /// An attached worker gets no broadcasts when every worker reads shared memory.
    package var receivesBroadcasts: Bool { !gradients.isAttached }

    package func withVersion<R>(_ version: UInt64, _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R? {
        try parameters.withVersion(version, body)
    }

    package func copy(version: UInt64) -> [Float]? { parameters.read(version: version) }

    package func reserveGradientSlot() -> (slot: Int, values: UnsafeMutableBufferPointer<Float>)? {
        gradients.reserve()
    }

    package func publishGradientSlot(_ slot: Int, step: UInt64, parameterVersion: UInt64, microShards: Range<Int>) {
        gradients.publish(slot, step: step, parameterVersion: parameterVersion, microShards: microShards)
    }

    package func cancelGradientSlot(_ slot: Int) { gradients.cancel(slot) }

    package func writeGradient(_ sum: FloatPayload, step: UInt64, parameterVersion: UInt64, microShards: Range<Int>)
        -> Int?
    {
        gradients.write(sum, step: step, parameterVersion: parameterVersion, microShards: microShards)
    }
}
