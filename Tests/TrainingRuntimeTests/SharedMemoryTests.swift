import Foundation
import GradientCore
import Testing
import TrainingProtocol

@testable import TrainingRuntime

/// The shared-memory exchange between a coordinator and workers on one host: segment headers,
/// the parameter slots' version words, and the gradient slots' lending and release.
@Suite struct SharedMemoryTests {
    let job = JobID.random()
    let worker = WorkerIdentity.random()
    let count = 5_000_003  // more than one 16 MiB payload frame
    let pid = UInt32(getpid())

    func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("shm-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func values(_ seed: Float) -> [Float] { (0..<count).map { Float($0 % 977) * 0.25 + seed } }

    @Test func parametersAreReadOnlyAsTheVersionTheyWereWrittenAs() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let coordinator = try SharedParameters.create(directory: dir.path, jobID: job, parameterCount: count)
        let reader = try SharedParameters.open(path: coordinator.path, jobID: job, parameterCount: count)
        #expect(reader.read(version: 1) == nil, "nothing written yet")
        coordinator.write(version: 1, FloatPayload(values(1)))
        coordinator.write(version: 2, FloatPayload(values(2)))
        #expect(reader.read(version: 1) == values(1))
        #expect(reader.read(version: 2) == values(2))
        coordinator.write(version: 3, FloatPayload(values(3)))
        #expect(reader.read(version: 1) == nil, "version 3 took version 1's slot")
        #expect(reader.read(version: 3) == values(3))
        #expect(reader.read(version: 4) == nil)

        // Another job's segment, or another model size, is refused with the reason.
        #expect(throws: SharedMemoryError.self) {
            try SharedParameters.open(path: coordinator.path, jobID: JobID.random(), parameterCount: count)
        }
        do {
            _ = try SharedParameters.open(path: coordinator.path, jobID: JobID.random(), parameterCount: count)
        } catch {
            #expect(error.description.contains("another job"))
        }
        do {
            _ = try SharedParameters.open(path: coordinator.path, jobID: job, parameterCount: count + 1)
            Issue.record("a segment for another model size was opened")
        } catch {
            #expect(error.description.contains("holds 5000003 parameters, the model has 5000004"))
        }
        // Read in place: a version overwritten during the computation yields nothing, and an error
        // computed from overwritten values is dropped; an error from intact values is not.
        struct Failure: Error {}
        #expect(try reader.withVersion(3) { $0[7] } == values(3)[7])
        #expect(
            try reader.withVersion(3) { _ in
                coordinator.write(version: 5, FloatPayload(values(5))); return 1
            } == nil)
        #expect(
            try reader.withVersion(5) { _ -> Int in
                coordinator.write(version: 7, FloatPayload(values(7))); throw Failure()
            } == nil)
        #expect(throws: Failure.self) { try reader.withVersion(7) { _ -> Int in throw Failure() } }
        #expect(try reader.withVersion(6) { _ in 1 } == nil, "never written")

        // Files of processes that no longer exist are removed when a coordinator starts; others stay.
        let dead = dir.appendingPathComponent("trainyard-999999999-\(JobID.random())-parameters").path
        let mine = dir.appendingPathComponent("trainyard-\(pid)-\(JobID.random())-parameters").path
        let unrelated = dir.appendingPathComponent("notes.txt").path
        for file in [dead, mine, unrelated] { _ = FileManager.default.createFile(atPath: file, contents: Data([1])) }
        let second = try SharedParameters.create(directory: dir.path, jobID: JobID.random(), parameterCount: 4)
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: mine) && FileManager.default.fileExists(atPath: unrelated))
        #expect(FileManager.default.fileExists(atPath: coordinator.path), "a live coordinator's segment stays")
        second.remove()

        coordinator.remove()
        #expect(!FileManager.default.fileExists(atPath: coordinator.path))
        #expect(reader.read(version: 7) == values(7), "mappings outlive the name")
    }

    @Test func gradientSlotsAreLentUntilTheLastReaderIsDone() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let slots = 2
        let gradients = try SharedGradients.create(
            directory: dir.path, jobID: job, worker: worker, processID: pid, parameterCount: count,
            slots: slots)
        let sum = FloatPayload(values(7))
        #expect(
            gradients.write(sum, step: 1, parameterVersion: 2, microShards: 0..<2) == nil,
            "not attached yet: send frames")

        let offer = SharedMemoryOffer(slotCount: UInt32(slots), parameterCount: UInt64(count), path: gradients.path)
        var wrongPath = offer
        wrongPath.path = dir.path + "/elsewhere"
        #expect(throws: SharedMemoryError.self) {
            try SharedGradients.attach(
                wrongPath, directory: dir.path, jobID: job, worker: worker, processID: pid, parameterCount: count)
        }
        #expect(throws: SharedMemoryError.self) {
            try SharedGradients.attach(
                offer, directory: dir.path, jobID: job, worker: WorkerIdentity.random(), processID: pid,
                parameterCount: count)
        }
        var moreSlots = offer
        moreSlots.slotCount = 3
        #expect(throws: SharedMemoryError.self) {
            try SharedGradients.attach(
                moreSlots, directory: dir.path, jobID: job, worker: worker, processID: pid, parameterCount: count)
        }
        var otherProcess = offer
        otherProcess.path = otherProcess.path.replacingOccurrences(
            of: "trainyard-\(pid)-", with: "trainyard-\(pid + 1)-")
        #expect(throws: SharedMemoryError.self) {
            try SharedGradients.attach(
                otherProcess, directory: dir.path, jobID: job, worker: worker, processID: pid + 1, parameterCount: count
            )
        }
        let coordinator = try SharedGradients.attach(
            offer, directory: dir.path, jobID: job, worker: worker, processID: pid, parameterCount: count)
        #expect(gradients.isAttached)
        #expect(
            !FileManager.default.fileExists(atPath: gradients.path),
            "the name is removed once both sides have mapped it")

        func result(_ slot: Int?, step: UInt64, leaves: Range<Int> = 0..<2) -> GradientResult {
            GradientResult(
                step: step, parameterVersion: step + 1, exampleCount: 8, lossSum: 1, microShards: leaves,
                microShardsPerBatch: 4, gradientSum: .notCarried(count: count), sharedSlot: slot)
        }
        let first = try #require(gradients.write(sum, step: 1, parameterVersion: 2, microShards: 0..<2))
        var held: FloatPayload? = try coordinator.resolve(result(first, step: 1))
        #expect(held == sum)
        #expect(held?.frameCount == 2)
        let second = try #require(
            gradients.write(FloatPayload(values(8)), step: 2, parameterVersion: 3, microShards: 0..<2))
        #expect(second != first)
        #expect(
            gradients.write(sum, step: 3, parameterVersion: 4, microShards: 0..<2) == nil,
            "both slots lent: frames instead")
        held = nil
        let third = try #require(
            gradients.write(FloatPayload(values(9)), step: 3, parameterVersion: 4, microShards: 2..<4))
        #expect(third == first, "the released slot is reused")

        // A result that does not match what its slot holds is refused, and the slot released.
        do {
            _ = try coordinator.resolve(result(third, step: 3, leaves: 0..<2))
            Issue.record("a slot holding other micro-shards was accepted")
        } catch {
            #expect(error.description.contains("micro-shards 2..<4"))
        }
        #expect(throws: SharedMemoryError.self) { try coordinator.resolve(result(slots, step: 3)) }
        #expect(gradients.write(sum, step: 4, parameterVersion: 5, microShards: 0..<2) == third)
    }

    /// Sums written straight into output memory (shared slots) are bitwise the arrays', whether a
    /// subtree is one micro-shard or several added along the tree.
    @Test func sumsWrittenIntoOutputMemoryAreTheSameBits() throws {
        let spec = ModelSpec(kind: .mlp, inputs: 4, outputs: 3, hidden: [5], activation: .relu, head: .softmax)
        let model = try spec.makeModel()
        var data = separableData(rows: 96, features: 4, seed: 5)
        data = InMemoryExamples(
            features: data.features, labels: data.labels.enumerated().map { Float($0.offset % 3) },
            featureCount: 4, seed: 11)
        let workload = MicroShardWorkload(model: model, examples: data)
        let parameters = spec.initialParameters(seed: 3)
        // Leaves 1...6 of 8: maximal subtrees [1], [2, 4), [4, 6), [6]: single leaves and pairs.
        let shards = (1...6).map { MicroShard(index: UInt32($0), rowStart: UInt64($0 * 12), rowCount: 12) }
        let assignment = WorkAssignment(
            step: 0, parameterVersion: 1, epoch: 0, microShardsPerBatch: 8, mode: .sync, localSteps: 1,
            datasetDigest: ContentDigest(bytes: Array(repeating: 7, count: 32))!, microShards: shards)
        let plain = try workload.compute(assignment, parameters: parameters)
        #expect(plain.map(\.leaves) == [1..<2, 2..<4, 4..<6, 6..<7])
        var buffers: [Range<Int>: UnsafeMutableBufferPointer<Float>] = [:]
        defer { buffers.values.forEach { $0.deallocate() } }
        let inPlace = try parameters.withUnsafeBufferPointer { p in
            try workload.compute(assignment, parameters: p) { subtree in
                let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: model.layout.count)
                buffer.initialize(repeating: .nan)  // must be overwritten entirely
                buffers[subtree] = buffer
                return buffer
            }
        }
        #expect(inPlace.count == plain.count)
        for (a, b) in zip(plain, inPlace) {
            #expect(a.leaves == b.leaves && a.count == b.count && a.lossSum.bitPattern == b.lossSum.bitPattern)
            #expect(!b.payload.isCarried)
            let written = Array(try #require(buffers[b.leaves]))
            #expect(written.map(\.bitPattern) == a.gradient.map(\.bitPattern), "subtree \(a.leaves)")
        }
    }
}
