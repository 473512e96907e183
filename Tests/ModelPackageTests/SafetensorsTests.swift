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
