import Foundation
import Testing

@testable import ModelServer

@Suite struct InferenceCodecTests {
    func decode(_ json: String, binary: [UInt8] = [], header: Bool = false) -> Result<InferenceRequest, InferenceError>
    {
        let head = Array(json.utf8)
        do {
            return .success(
                try InferenceCodec.decodeRequest(head + binary, headerLength: header ? String(head.count) : nil))
        } catch {
            return .failure(error)
        }
    }

    func message(_ result: Result<InferenceRequest, InferenceError>) -> String {
        if case .failure(let error) = result { return "\(error.status) \(error.message)" }
        return "accepted"
    }

    @Test func jsonTensorsFlatOrNestedInEveryDatatype() throws {
        for type in ["FP32", "FP64", "INT32", "INT64"] {
            let nested = try decode(
                #"{"id":"a","inputs":[{"name":"input","datatype":"\#(type)","shape":[2,2],"data":[[1,2],[3,4]]}]}"#
            ).get()
            let flat = try decode(
                #"{"inputs":[{"name":"input","datatype":"\#(type)","shape":[2,2],"data":[1,2,3,4]}]}"#
            ).get()
            #expect(nested.inputs[0].values == [1, 2, 3, 4] && flat.inputs[0].values == [1, 2, 3, 4])
            #expect(nested.id == "a" && nested.inputs[0].shape == [2, 2])
        }
    }

    @Test func binaryTensorsOfEachDatatype() throws {
        func bytes<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }
        let cases: [(String, [UInt8])] = [
            ("FP32", bytes([Float(1.5), -2])), ("FP64", bytes([1.5, -2.0])),
            ("INT32", bytes([Int32(3), -4])), ("INT64", bytes([Int64(3), -4])),
        ]
        for (type, data) in cases {
            let request = try decode(
                #"{"inputs":[{"name":"input","datatype":"\#(type)","shape":[1,2],"parameters":{"binary_data_size":\#(data.count)}}],"outputs":[{"name":"label","parameters":{"binary_data":true}}]}"#,
                binary: data, header: true
            ).get()
            #expect(request.inputs[0].values == (type.hasPrefix("FP") ? [1.5, -2] : [3, -4]), "\(type)")
            #expect(request.outputs?.first?.binary == true)
        }
    }

    @Test func malformedRequestsNameTheProblem() {
        let cases: [(String, [UInt8], Bool, String)] = [
            ("", [], false, "400 empty request body"),
            ("{", [], false, "400 malformed JSON"),
            ("[]", [], false, "must be a JSON object"),
            (#"{"inputs":[]}"#, [], false, "non-empty array"),
            (
                #"{"inputs":[{"name":"input","datatype":"BF16","shape":[1],"data":[1]}]}"#, [], false,
                "BF16 is not supported"
            ),
            (
                #"{"inputs":[{"name":"input","datatype":"FP32","shape":[-1],"data":[1]}]}"#, [], false,
                "non-negative integers"
            ),
            (
                #"{"inputs":[{"name":"input","datatype":"FP32","shape":[2],"data":[1]}]}"#, [], false,
                "has 1 elements, shape [2] needs 2"
            ),
            (
                #"{"inputs":[{"name":"input","datatype":"FP32","shape":[1],"data":[true]}]}"#, [], false,
                "must hold numbers"
            ),
            (
                #"{"inputs":[{"name":"input","datatype":"INT32","shape":[1],"data":[1.5]}]}"#, [], false,
                "not an integer"
            ),
            (#"{"inputs":[{"name":"input","datatype":"FP32","shape":[4194304,8],"data":[]}]}"#, [], false, "413"),
            (
                #"{"inputs":[{"name":"input","datatype":"FP32","shape":[1],"parameters":{"binary_data_size":4}}]}"#, [],
                false, "no Inference-Header-Content-Length"
            ),
            (
                #"{"inputs":[{"name":"input","datatype":"FP32","shape":[2],"parameters":{"binary_data_size":4}}]}"#,
                [0, 0, 0, 0], true, "does not match shape"
            ),
            (
                #"{"inputs":[{"name":"input","datatype":"FP32","shape":[1],"parameters":{"binary_data_size":4}}]}"#,
                [0, 0], true, "runs past the end"
            ),
            (#"{"inputs":[{"name":"input","datatype":"FP32","shape":[1],"data":[1]}]}"#, [1, 2], true, "not claimed"),
            (
                #"{"id":5,"inputs":[{"name":"input","datatype":"FP32","shape":[1],"data":[1]}]}"#, [], false,
                "'id' must be a string"
            ),
            (
                #"{"parameters":{"binary_data_output":1},"inputs":[{"name":"input","datatype":"FP32","shape":[1],"data":[1]}]}"#,
                [], false, "true or false"
            ),
        ]
        for (json, binary, header, expected) in cases {
            let text = message(decode(json, binary: binary, header: header))
            #expect(text.contains(expected), "\(json): \(text)")
        }
        #expect(throws: InferenceError.self) { try InferenceCodec.decodeRequest(Array("{}".utf8), headerLength: "9") }
    }

    @Test func binaryResponsesFollowTheExtension() throws {
        let outputs = [
            OutputTensor(name: "p", shape: [1, 2], data: .floats([0.25, 0.75])),
            OutputTensor(name: "label", shape: [1], data: .strings(["yes"])),
        ]
        let (body, length) = InferenceCodec.encodeResponse(
            model: "m", version: "2", id: "x", outputs: outputs, binary: [true, false])
        let headerLength = try #require(length)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body[0..<headerLength])) as? [String: Any])
        #expect(json["id"] as? String == "x" && json["model_version"] as? String == "2")
        let first = try #require((json["outputs"] as? [[String: Any]])?.first)
        #expect((first["parameters"] as? [String: Int])?["binary_data_size"] == 8)
        let values = body[headerLength...].withUnsafeBytes { raw in
            (0..<2).map { Float(bitPattern: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)) }
        }
        #expect(values == [0.25, 0.75])
        let (plain, none) = InferenceCodec.encodeResponse(
            model: "m", version: "2", id: nil, outputs: outputs, binary: [false, false])
        #expect(none == nil)
        #expect(String(decoding: plain, as: UTF8.self).contains(#""data":["yes"]"#))
        #expect(InferenceCodec.binaryBytes(.strings(["ab"])) == [2, 0, 0, 0, 97, 98])
    }
}
