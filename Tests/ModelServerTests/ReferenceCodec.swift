import Foundation

@testable import ModelServer

/// The codec as it was before the hand-written decoder and encoder: `JSONSerialization` for
/// requests, string building for responses. Kept only as the reference the tests compare the
/// new code with; nothing in the server calls it.
enum ReferenceCodec {
    static func decodeRequest(_ body: [UInt8], headerLength: String?) throws(InferenceError) -> InferenceRequest {
        var jsonEnd = body.count
        if let headerLength {
            guard let n = Int(headerLength.trimmingCharacters(in: .whitespaces)), n >= 0, n <= body.count else {
                throw InferenceError(
                    400,
                    "Inference-Header-Content-Length \(headerLength) is not a length within the \(body.count)-byte body"
                )
            }
            jsonEnd = n
        }
        guard jsonEnd > 0 else { throw InferenceError(400, "empty request body; expected a JSON inference request") }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(body[0..<jsonEnd]))
        } catch {
            throw InferenceError(400, "malformed JSON in the request: \(Self.reason(error))")
        }
        guard let request = object as? [String: Any] else {
            throw InferenceError(400, "the request must be a JSON object")
        }
        var id: String?
        if let raw = request["id"] {
            guard let s = raw as? String else { throw InferenceError(400, "'id' must be a string") }
            id = s
        }
        var binaryOutput = false
        if let parameters = request["parameters"] {
            guard let p = parameters as? [String: Any] else {
                throw InferenceError(400, "'parameters' must be an object")
            }
            if let flag = p["binary_data_output"] {
                guard let b = jsonBool(flag) else {
                    throw InferenceError(400, "'parameters.binary_data_output' must be true or false")
                }
                binaryOutput = b
            }
        }
        guard let inputList = request["inputs"] as? [Any], !inputList.isEmpty else {
            throw InferenceError(400, "'inputs' must be a non-empty array of tensors")
        }
        var binaryCursor = jsonEnd
        var inputs: [InputTensor] = []
        var totalElements = 0
        for (index, item) in inputList.enumerated() {
            guard let tensor = item as? [String: Any] else {
                throw InferenceError(400, "inputs[\(index)] must be an object")
            }
            guard let name = tensor["name"] as? String else {
                throw InferenceError(400, "inputs[\(index)].name must be a string")
            }
            guard let typeName = tensor["datatype"] as? String else {
                throw InferenceError(400, "input '\(name)': 'datatype' must be a string")
            }
            guard let datatype = TensorType(rawValue: typeName), datatype != .bytes else {
                throw InferenceError(
                    400, "input '\(name)': datatype \(typeName) is not supported (use FP32, FP64, INT32 or INT64)")
            }
            guard let shapeList = tensor["shape"] as? [Any] else {
                throw InferenceError(400, "input '\(name)': 'shape' must be an array")
            }
            var shape: [Int] = []
            var elements = 1
            for d in shapeList {
                guard let n = jsonNumber(d), let v = Int(exactly: n), v >= 0 else {
                    throw InferenceError(400, "input '\(name)': shape \(shapeList) must hold non-negative integers")
                }
                shape.append(v)
                let (product, overflow) = elements.multipliedReportingOverflow(by: v)
                guard !overflow, product <= InferenceCodec.maximumElements else {
                    throw InferenceError(
                        413, "input '\(name)': shape \(shape) has more than \(InferenceCodec.maximumElements) elements")
                }
                elements = product
            }
            totalElements += elements
            guard totalElements <= InferenceCodec.maximumElements else {
                throw InferenceError(413, "the request has more than \(InferenceCodec.maximumElements) elements")
            }
            var size: Int?
            if let parameters = tensor["parameters"] {
                guard let p = parameters as? [String: Any] else {
                    throw InferenceError(400, "input '\(name)': 'parameters' must be an object")
                }
                if let raw = p["binary_data_size"] {
                    guard let n = jsonNumber(raw), let v = Int(exactly: n), v >= 0 else {
                        throw InferenceError(400, "input '\(name)': binary_data_size must be a non-negative integer")
                    }
                    size = v
                }
            }
            let values: [Float]
            if let size {
                guard tensor["data"] == nil else {
                    throw InferenceError(400, "input '\(name)' has both 'data' and binary_data_size")
                }
                guard headerLength != nil else {
                    throw InferenceError(
                        400,
                        "input '\(name)' has binary_data_size but the request has no Inference-Header-Content-Length header"
                    )
                }
                let expected = elements * datatype.size!
                guard size == expected else {
                    throw InferenceError(
                        400,
                        "input '\(name)': binary_data_size \(size) does not match shape \(shape) of \(typeName) (\(expected) bytes)"
                    )
                }
                guard binaryCursor + size <= body.count else {
                    throw InferenceError(
                        400,
                        "input '\(name)': binary data runs past the end of the body (\(body.count - binaryCursor) bytes left, \(size) needed)"
                    )
                }
                values = decodeBinary(body, from: binaryCursor, count: elements, as: datatype)
                binaryCursor += size
            } else {
                guard let data = tensor["data"] else {
                    throw InferenceError(400, "input '\(name)' has neither 'data' nor binary_data_size")
                }
                var flat: [Float] = []
                flat.reserveCapacity(elements)
                try flatten(data, into: &flat, name: name, datatype: datatype, limit: elements)
                guard flat.count == elements else {
                    throw InferenceError(
                        400, "input '\(name)': 'data' has \(flat.count) elements, shape \(shape) needs \(elements)")
                }
                values = flat
            }
            inputs.append(InputTensor(name: name, datatype: datatype, shape: shape, values: values))
        }
        guard binaryCursor == body.count else {
            throw InferenceError(
                400,
                "\(body.count - binaryCursor) bytes of binary data after the last input are not claimed by any binary_data_size"
            )
        }
        var outputs: [(name: String, binary: Bool?)]?
        if let raw = request["outputs"] {
            guard let list = raw as? [Any] else { throw InferenceError(400, "'outputs' must be an array") }
            outputs = try list.enumerated().map {
                (index, item) throws(InferenceError) -> (name: String, binary: Bool?) in
                guard let o = item as? [String: Any], let name = o["name"] as? String else {
                    throw InferenceError(400, "outputs[\(index)] must be an object with a 'name'")
                }
                var binary: Bool?
                if let p = o["parameters"] as? [String: Any], let flag = p["binary_data"] {
                    guard let b = jsonBool(flag) else {
                        throw InferenceError(400, "output '\(name)': binary_data must be true or false")
                    }
                    binary = b
                }
                return (name, binary)
            }
        }
        return InferenceRequest(id: id, inputs: inputs, outputs: outputs, binaryOutput: binaryOutput)
    }

    private static func flatten(
        _ value: Any, into out: inout [Float], name: String, datatype: TensorType,
        limit: Int
    ) throws(InferenceError) {
        if let list = value as? [Any] {
            for item in list {
                try flatten(item, into: &out, name: name, datatype: datatype, limit: limit)
                if out.count > limit {
                    throw InferenceError(400, "input '\(name)': 'data' has more elements than its shape")
                }
            }
            return
        }
        guard let d = jsonNumber(value) else {
            throw InferenceError(
                400, "input '\(name)': 'data' must hold numbers, found \(value is NSNull ? "null" : "\(value)")")
        }
        if datatype == .int32 || datatype == .int64 {
            guard d == d.rounded() else {
                throw InferenceError(400, "input '\(name)': \(d) is not an integer (datatype \(datatype.rawValue))")
            }
        }
        out.append(Float(d))
    }

    private static func decodeBinary(_ body: [UInt8], from start: Int, count: Int, as datatype: TensorType) -> [Float] {
        body.withUnsafeBytes { InferenceCodec.decodeBinary($0, from: start, count: count, as: datatype) }
    }

    /// A JSON boolean (JSONSerialization gives NSNumbers; a boolean's type code is `c`).
    static func jsonBool(_ value: Any) -> Bool? {
        guard let n = value as? NSNumber, String(cString: n.objCType) == "c" else { return nil }
        return n.boolValue
    }

    /// A JSON number that is not a boolean.
    static func jsonNumber(_ value: Any) -> Double? {
        guard let n = value as? NSNumber, String(cString: n.objCType) != "c" else { return nil }
        return n.doubleValue
    }

    private static func reason(_ error: Error) -> String {
        let ns = error as NSError
        return (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
    }

    // MARK: - Responses

    /// The response body and, for binary outputs, the JSON header length to send as
    /// `Inference-Header-Content-Length`.
    static func encodeResponse(
        model: String, version: String, id: String?, outputs: [OutputTensor],
        binary: [Bool]
    ) -> (body: [UInt8], headerLength: Int?) {
        var json = "{\"model_name\":\(quote(model)),\"model_version\":\(quote(version))"
        if let id { json += ",\"id\":\(quote(id))" }
        json += ",\"outputs\":["
        var tail: [UInt8] = []
        for (index, output) in outputs.enumerated() {
            if index > 0 { json += "," }
            json +=
                "{\"name\":\(quote(output.name)),\"datatype\":\"\(output.datatype.rawValue)\",\"shape\":[\(output.shape.map(String.init).joined(separator: ","))]"
            if binary[index] {
                let bytes = binaryBytes(output.data)
                json += ",\"parameters\":{\"binary_data_size\":\(bytes.count)}}"
                tail += bytes
            } else {
                json += ",\"data\":[" + jsonElements(output.data) + "]}"
            }
        }
        json += "]}"
        let head = Array(json.utf8)
        return tail.isEmpty && !binary.contains(true) ? (head, nil) : (head + tail, head.count)
    }

    static func jsonElements(_ data: OutputData) -> String {
        switch data {
        case .floats(let values): return values.map { $0.isFinite ? "\($0)" : "null" }.joined(separator: ",")
        case .integers(let values): return values.map(String.init).joined(separator: ",")
        case .strings(let values): return values.map(quote).joined(separator: ",")
        }
    }

    static func binaryBytes(_ data: OutputData) -> [UInt8] {
        var out: [UInt8] = []
        switch data {
        case .floats(let values):
            out.reserveCapacity(values.count * 4)
            for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        case .integers(let values):
            out.reserveCapacity(values.count * 8)
            for v in values { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        case .strings(let values):
            for s in values {
                let bytes = Array(s.utf8)
                withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { out.append(contentsOf: $0) }
                out += bytes
            }
        }
        return out
    }

    /// A JSON string literal.
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
