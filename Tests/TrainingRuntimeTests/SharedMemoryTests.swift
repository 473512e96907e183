import Foundation
import Testing
import TrainingProtocol
@testable import TrainingRuntime

/// The shared-memory exchange between a coordinator and workers on one host: segment headers,
/// the parameter slots' version words, and the gradient slots' lending and release.
@Suite struct SharedMemoryTests {
    let job = JobID.random()
    let worker = WorkerIdentity.random()
    let count = 5_000_003  // more than one 16 MiB payload frame

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
        #expect(throws: SharedMemoryError.self) { try SharedParameters.open(path: coordinator.path, jobID: JobID.random(), parameterCount: count) }
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
        coordinator.remove()
        #expect(!FileManager.default.fileExists(atPath: coordinator.path))
        #expect(reader.read(version: 3) == values(3), "mappings outlive the name")
    }

    @Test func gradientSlotsAreLentUntilTheLastReaderIsDone() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let slots = 2
        let gradients = try SharedGradients.create(directory: dir.path, jobID: job, worker: worker, parameterCount: count, slots: slots)
        let sum = FloatPayload(values(7))
        #expect(gradients.write(sum, step: 1, parameterVersion: 2, microShards: 0..<2) == nil, "not attached yet: send frames")

        let offer = SharedMemoryOffer(slotCount: UInt32(slots), parameterCount: UInt64(count), path: gradients.path)
        var wrongPath = offer
        wrongPath.path = dir.path + "/elsewhere"
        #expect(throws: SharedMemoryError.self) {
            try SharedGradients.attach(wrongPath, directory: dir.path, jobID: job, worker: worker, parameterCount: count)
        }
        #expect(throws: SharedMemoryError.self) {
            try SharedGradients.attach(offer, directory: dir.path, jobID: job, worker: WorkerIdentity.random(), parameterCount: count)
        }
        var moreSlots = offer
        moreSlots.slotCount = 3
        #expect(throws: SharedMemoryError.self) {
            try SharedGradients.attach(moreSlots, directory: dir.path, jobID: job, worker: worker, parameterCount: count)
        }
        let coordinator = try SharedGradients.attach(offer, directory: dir.path, jobID: job, worker: worker, parameterCount: count)
        #expect(gradients.isAttached)
        #expect(!FileManager.default.fileExists(atPath: gradients.path), "the name is removed once both sides have mapped it")

        func result(_ slot: Int?, step: UInt64, leaves: Range<Int> = 0..<2) -> GradientResult {
            GradientResult(step: step, parameterVersion: step + 1, exampleCount: 8, lossSum: 1, microShards: leaves,
                           microShardsPerBatch: 4, gradientSum: .notCarried(count: count), sharedSlot: slot)
        }
        let first = try #require(gradients.write(sum, step: 1, parameterVersion: 2, microShards: 0..<2))
        var held: FloatPayload? = try coordinator.resolve(result(first, step: 1))
        #expect(held == sum)
        #expect(held?.frameCount == 2)
        let second = try #require(gradients.write(FloatPayload(values(8)), step: 2, parameterVersion: 3, microShards: 0..<2))
        #expect(second != first)
        #expect(gradients.write(sum, step: 3, parameterVersion: 4, microShards: 0..<2) == nil, "both slots lent: frames instead")
        held = nil
        let third = try #require(gradients.write(FloatPayload(values(9)), step: 3, parameterVersion: 4, microShards: 2..<4))
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
}
