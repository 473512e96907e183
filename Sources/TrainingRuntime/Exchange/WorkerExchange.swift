import GradientCore
import TrainingProtocol

/// Where a worker's parameters come from and where its gradient sums go: the worker side of the
/// exchange (ps-lite's "van"). ``WorkerFrameExchange`` uses the sockets only;
/// ``WorkerSharedExchange`` adds the coordinator's shared memory on the same host.
///
/// Broadcast values (``WorkerParameters/values``) are read the same way by every exchange; what an
/// exchange adds is parameters read in place (``holds(version:)``) and memory to write a sum into
/// instead of sending it as frames (``reserveGradientSlot()``). Used from the worker's one thread.
package protocol WorkerExchange: AnyObject {
    /// True when `version`'s values can be read here in place, with no broadcast.
    func holds(version: UInt64) -> Bool
    /// False when the coordinator publishes no broadcasts this worker would receive (it reads
    /// every version in place): a missing version is asked for at once.
    var receivesBroadcasts: Bool { get }
    /// Runs `body` on `version`'s values in place (no copy); nil when they are not here or were
    /// overwritten during the call (anything computed from them, an error included, is discarded).
    func withVersion<R>(_ version: UInt64, _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R?
    /// A copy of `version`'s values read in place, or nil when they are not here.
    func copy(version: UInt64) -> [Float]?
    /// Memory for one gradient sum the coordinator will read in place, or nil (send frames).
    /// Follow with ``publishGradientSlot(_:step:parameterVersion:microShards:)`` or ``cancelGradientSlot(_:)``.
    func reserveGradientSlot() -> (slot: Int, values: UnsafeMutableBufferPointer<Float>)?
    /// Hands a reserved slot, now holding the sum of `microShards`, to the coordinator.
    func publishGradientSlot(_ slot: Int, step: UInt64, parameterVersion: UInt64, microShards: Range<Int>)
    /// Gives back a reserved slot that was not published.
    func cancelGradientSlot(_ slot: Int)
    /// Copies a computed sum into a free slot and publishes it; the slot, or nil (send frames).
    func writeGradient(_ sum: FloatPayload, step: UInt64, parameterVersion: UInt64, microShards: Range<Int>) -> Int?
}

/// The sockets alone: parameters only from broadcasts (and catch-up answers), every gradient sum
/// in the result's payload frames. Never reads or writes shared memory.
package final class WorkerFrameExchange: WorkerExchange {
    package init() {}
    package func holds(version: UInt64) -> Bool { false }
    package var receivesBroadcasts: Bool { true }
    package func withVersion<R>(_ version: UInt64, _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R? {
        nil
    }
    package func copy(version: UInt64) -> [Float]? { nil }
    package func reserveGradientSlot() -> (slot: Int, values: UnsafeMutableBufferPointer<Float>)? { nil }
    package func publishGradientSlot(_ slot: Int, step: UInt64, parameterVersion: UInt64, microShards: Range<Int>) {
        preconditionFailure("a frame exchange has no gradient slots")
    }
    package func cancelGradientSlot(_ slot: Int) {}
    package func writeGradient(_ sum: FloatPayload, step: UInt64, parameterVersion: UInt64, microShards: Range<Int>)
        -> Int?
    { nil }
}

extension WorkerExchange {
    /// `parameters`' values for a local-SGD round: the broadcast array, or a copy read in place;
    /// nil when the in-place version was overwritten.
    func values(of parameters: WorkerParameters) -> [Float]? {
        parameters.values ?? copy(version: parameters.version)
    }

    /// Computes `assignment`'s subtree sums against `parameters` and makes them results ready to
    /// send: each sum is written straight into a gradient slot when one is free (the result names
    /// the slot), or else carried in the result's frames. Returns nil, having published nothing,
    /// when in-place parameters were overwritten during the computation.
    /// - Throws: what the workload throws (``GradientCoreError``); reserved slots are given back.
    func gradientResults(
        for assignment: WorkAssignment, against parameters: WorkerParameters,
        workload: MicroShardWorkload
    ) throws -> [GradientResult]? {
        let version = parameters.version
        var slots: [Range<Int>: Int] = [:]
        func output(_ subtree: Range<Int>) -> UnsafeMutableBufferPointer<Float>? {
            guard let (slot, memory) = reserveGradientSlot() else { return nil }
            slots[subtree] = slot
            return memory
        }
        let computed: [SubtreeSum]?
        do {
            if let values = parameters.values {
                computed = try values.withUnsafeBufferPointer {
                    try workload.compute(assignment, parameters: $0, output: output)
                }
            } else {
                computed = try withVersion(version) { try workload.compute(assignment, parameters: $0, output: output) }
            }
        } catch {
            for slot in slots.values { cancelGradientSlot(slot) }
            throw error
        }
        guard let sums = computed else {
            for slot in slots.values { cancelGradientSlot(slot) }
            return nil
        }
        var results: [GradientResult] = []
        results.reserveCapacity(sums.count)
        for sum in sums {
            var result = GradientResult(
                step: assignment.step, parameterVersion: version,
                exampleCount: UInt64(sum.count), lossSum: sum.lossSum, microShards: sum.leaves,
                microShardsPerBatch: Int(assignment.microShardsPerBatch), gradientSum: sum.payload)
            if let slot = slots[sum.leaves], !sum.payload.isCarried {
                publishGradientSlot(slot, step: assignment.step, parameterVersion: version, microShards: sum.leaves)
                result.sharedSlot = slot
            } else if let slot = writeGradient(
                sum.payload, step: assignment.step, parameterVersion: version, microShards: sum.leaves)
            {
                result.gradientSum = .notCarried(count: sum.payload.count)
                result.sharedSlot = slot
            }
            results.append(result)
        }
        // Slots reserved for sums that came back as arrays (none today) go back.
        for (leaves, slot) in slots where !sums.contains(where: { $0.leaves == leaves && !$0.payload.isCarried }) {
            cancelGradientSlot(slot)
        }
        return results
    }
}
