import Foundation
import GradientCore
import Testing

@testable import ModelPackage

@Suite struct SafetensorsTests {
    @Test func headerIsAlignedAndNamesEveryTensor() throws {
        let spec = ModelSpec(kind: .softmax, inputs: 3, outputs: 2)
        let layout = spec.layout()
        let parameters = (0..<layout.count).map { Float($0) }
        let bytes = SafetensorsWriter.encode(parameters: parameters, layout: layout, metadata: ["k": "v"])
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect((8 + headerLength) % 8 == 0)
        #expect(bytes.count == 8 + headerLength + layout.count * 4)
        let header = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)])) as? [String: Any]
        #expect((header?["__metadata__"] as? [String: String])?["k"] == "v")
        for entry in layout.entries { #expect(header?[entry.name] != nil) }
    }
}

@Suite struct SafetensorsReadingTests {
    let directory: URL = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString)")

    func tensors() -> [NamedTensor] {
        [
            NamedTensor(name: "w", shape: [2, 3], values: [1, -2, 3.5, .pi, 0, -0.0]),
            NamedTensor(name: "b", shape: [2], values: [7, 8]),
            NamedTensor(name: "optimizer.m", shape: [8], values: (0..<8).map { Float($0) / 3 }),
        ]
    }

    @Test func roundTripKeepsValuesMetadataAndChecksum() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("a.safetensors")
        let bytes = try SafetensorsWriter.write(tensors(), metadata: ["step": "3"], to: url)
        #expect(bytes == (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int))
        let file = try SafetensorsFile.read(url)
        #expect(file.checksumVerified)
        #expect(file.metadata["step"] == "3")
        for t in tensors() {
            #expect(try file.floats(t.name).map(\.bitPattern) == t.values.map(\.bitPattern))
            #expect(file.entry(t.name)?.shape == t.shape)
        }
        #expect(file.entries.map(\.name) == ["b", "optimizer.m", "w"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["a.safetensors"])
    }

    @Test func truncatedCorruptAndMalformedFilesAreRejectedNamingTheProblem() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("a.safetensors")
        try SafetensorsWriter.write(tensors(), metadata: [:], to: url)
        let good = [UInt8](try Data(contentsOf: url))
        func reason(_ bytes: [UInt8]) -> String {
            do {
                _ = try SafetensorsFile.parse(bytes, source: "f")
                return "accepted"
            } catch let error as SafetensorsError {
                return error.reason
            } catch {
                return "\(error)"
            }
        }
        #expect(reason(Array(good.prefix(5))).contains("too short"))
        #expect(reason(Array(good.dropLast(4))).contains("truncated"))
        #expect(reason(Array(good.prefix(40))).contains("truncated"))
        var flipped = good
        flipped[flipped.count - 3] ^= 0x10
        #expect(reason(flipped).contains("checksum mismatch"))
        var huge = good
        huge.replaceSubrange(0..<8, with: [0, 0, 0, 0, 0, 0, 0, 0x7f])
        #expect(reason(huge).contains("limit"))
        func file(_ header: String, data: Int) -> [UInt8] {
            var h = Array(header.utf8)
            while h.count % 8 != 0 { h.append(0x20) }
            return withUnsafeBytes(of: UInt64(h.count).littleEndian) { Array($0) } + h
                + [UInt8](repeating: 0, count: data)
        }
        #expect(reason(file("[1]", data: 0)).contains("not a JSON object"))
        #expect(
            reason(file(#"{"a":{"dtype":"Q9","shape":[1],"data_offsets":[0,4]}}"#, data: 4)).contains("unknown dtype"))
        #expect(
            reason(file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: 4)).contains("needs 8 bytes"))
        #expect(
            reason(
                file(
                    #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}"#,
                    data: 6)
            ).contains("overlaps"))
        #expect(reason(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8)).contains("gap"))
        #expect(reason(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: 12)).contains("cover 4"))
        #expect(reason(file(#"{"__metadata__":{"k":1}}"#, data: 0)).contains("not a string"))
        #expect(
            reason(file(#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: 4)).contains("invalid shape")
        )
    }

    @Test func aWriteThatFailsPartWayLeavesThePreviousFileIntact() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("a.safetensors")
        try SafetensorsWriter.write(tensors(), metadata: ["version": "1"], to: url)
        var next = tensors()
        next[0].values[0] = 99
        #expect(throws: POSIXFailure.self) {
            try SafetensorsWriter.write(next, metadata: ["version": "2"], to: url, fault: WriteFault(afterBytes: 100))
        }
        let file = try SafetensorsFile.read(url)
        #expect(file.metadata["version"] == "1")
        #expect(try file.floats("w")[0] == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["a.safetensors"])
    }

    @Test func parametersComeBackInLayoutOrderAndShapesAreChecked() throws {
        let spec = ModelSpec(kind: .mlp, inputs: 4, outputs: 3, hidden: [5], activation: .tanh, head: .softmax)
        let layout = spec.layout()
        let parameters = spec.initialParameters(seed: 3)
        let file = try SafetensorsFile.parse(
            SafetensorsWriter.encode(parameters: parameters, layout: layout), source: "m")
        #expect(!file.checksumVerified)
        #expect(try file.parameters(layout: layout) == parameters)
        let other = ModelSpec(kind: .mlp, inputs: 4, outputs: 3, hidden: [6], activation: .tanh, head: .softmax)
            .layout()
        #expect(throws: SafetensorsError.self) { try file.parameters(layout: other) }
    }
}

@Suite struct XXH64Tests {
    /// Reference values from the xxHash implementation (xxhsum -H1).
    @Test func matchesReferenceVectors() {
        #expect(XXH64.hash([]) == 0xEF46_DB37_51D8_E999)
        #expect(XXH64.hash(Array("a".utf8)) == 0xD24E_C4F1_A98C_6E5B)
        #expect(XXH64.hash(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
        #expect(XXH64.hash(Array("Nobody inspects the spammish repetition".utf8)) == 0xFBCE_A83C_8A37_8BF1)
    }

    @Test func streamingInAnyPiecesEqualsOneShot() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = XXH64.hash(bytes, seed: 9)
        #expect(whole == 0x3FB2_FF3F_7999_E9C6)  // python -c "xxhash.xxh64(bytes, seed=9)"
        for piece in [1, 3, 31, 32, 33, 100, 999] {
            var h = XXH64(seed: 9)
            var start = 0
            while start < bytes.count {
                let end = min(start + piece, bytes.count)
                bytes[start..<end].withUnsafeBytes { h.update($0) }
                start = end
            }
            #expect(h.digest == whole, "piece \(piece)")
        }
    }
}
