import Foundation

/// A request the server refuses: the HTTP status and the message for `{"error": "..."}`.
public struct InferenceError: Error, CustomStringConvertible, Sendable, Equatable {
    public let status: Int
    public let message: String
    public init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }
    public var description: String { "\(status): \(message)" }
    static func bad(_ message: String) -> InferenceError { InferenceError(400, message) }
}

/// Tensor element types of the Open Inference Protocol that Trainyard reads or writes.
public enum TensorType: String, Sendable {
    case fp32 = "FP32", fp64 = "FP64", int32 = "INT32", int64 = "INT64", bytes = "BYTES"

    /// Bytes per element in the binary tensor extension (BYTES is length-prefixed).
    var size: Int? {
        switch self {
        case .fp32, .int32: return 4
        case .fp64, .int64: return 8
        case .bytes: return nil
        }
    }
}

/// One input tensor of a request, converted to Float32 (the models' type).
public struct InputTensor: Sendable {
    public var name: String
    public var datatype: TensorType
    public var shape: [Int]
    public var values: [Float]
}

/// An inference request (`POST /v2/models/{name}/infer`), decoded and checked for structure.
public struct InferenceRequest: Sendable {
    public var id: String?
    public var inputs: [InputTensor]
    /// Requested outputs and whether each is wanted as binary; nil means every output.
    public var outputs: [(name: String, binary: Bool?)]?
    /// `parameters.binary_data_output`: the default for outputs not listed.
    public var binaryOutput: Bool
}

/// One output tensor of a response.
public enum OutputData: Sendable {
    case floats([Float])
    case integers([Int64])
    case strings([String])
}

public struct OutputTensor: Sendable {
    public var name: String
    public var shape: [Int]
    public var data: OutputData

    var datatype: TensorType {
        switch data {
        case .floats: return .fp32
        case .integers: return .int64
        case .strings: return .bytes
        }
    }
}

/// Decodes requests and encodes responses of the Open Inference Protocol (KServe v2) REST
/// binding, JSON and the binary tensor data extension, with every size checked before use.
public enum InferenceCodec {
    /// Most elements one request may carry (bounds what a request can make the server allocate).
    public static let maximumElements = 16 << 20

    /// Decodes a request body. `headerLength` is the `Inference-Header-Content-Length` header:
    /// the JSON is that many leading bytes, the binary tensor data follows.
    public static func decodeRequest(_ body: [UInt8], headerLength: String?) throws(InferenceError) -> InferenceRequest {
        var jsonEnd = body.count
        if let headerLength {
            guard let n = Int(headerLength.trimmingCharacters(in: .whitespaces)), n >= 0, n <= body.count else {
                throw .bad("Inference-Header-Content-Length \(headerLength) is not a length within the \(body.count)-byte body")
            }
            jsonEnd = n
        }
        guard jsonEnd > 0 else { throw .bad("empty request body; expected a JSON inference request") }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(body[0..<jsonEnd]))
        } catch {
            throw .bad("malformed JSON in the request: \(Self.reason(error))")
        }
        guard let request = object as? [String: Any] else { throw .bad("the request must be a JSON object") }
        var id: String?
        if let raw = request["id"] {
            guard let s = raw as? String else { throw .bad("'id' must be a string") }
            id = s
        }
        var binaryOutput = false
        if let parameters = request["parameters"] {
            guard let p = parameters as? [String: Any] else { throw .bad("'parameters' must be an object") }
            if let flag = p["binary_data_output"] {
                guard let b = jsonBool(flag) else {
                    throw .bad("'parameters.binary_data_output' must be true or false")
                }
                binaryOutput = b
            }
        }
        guard let inputList = request["inputs"] as? [Any], !inputList.isEmpty else {
            throw .bad("'inputs' must be a non-empty array of tensors")
        }
        var binaryCursor = jsonEnd
        var inputs: [InputTensor] = []
        var totalElements = 0
        for (index, item) in inputList.enumerated() {
            guard let tensor = item as? [String: Any] else { throw .bad("inputs[\(index)] must be an object") }
            guard let name = tensor["name"] as? String else { throw .bad("inputs[\(index)].name must be a string") }
            guard let typeName = tensor["datatype"] as? String else { throw .bad("input '\(name)': 'datatype' must be a string") }
            guard let datatype = TensorType(rawValue: typeName), datatype != .bytes else {
                throw .bad("input '\(name)': datatype \(typeName) is not supported (use FP32, FP64, INT32 or INT64)")
            }
            guard let shapeList = tensor["shape"] as? [Any] else { throw .bad("input '\(name)': 'shape' must be an array") }
            var shape: [Int] = []
            var elements = 1
            for d in shapeList {
                guard let n = jsonNumber(d), let v = Int(exactly: n), v >= 0 else {
                    throw .bad("input '\(name)': shape \(shapeList) must hold non-negative integers")
                }
                shape.append(v)
                let (product, overflow) = elements.multipliedReportingOverflow(by: v)
                guard !overflow, product <= maximumElements else {
                    throw InferenceError(413, "input '\(name)': shape \(shape) has more than \(maximumElements) elements")
                }
                elements = product
            }
            totalElements += elements
            guard totalElements <= maximumElements else {
                throw InferenceError(413, "the request has more than \(maximumElements) elements")
            }
            var size: Int?
            if let parameters = tensor["parameters"] {
                guard let p = parameters as? [String: Any] else { throw .bad("input '\(name)': 'parameters' must be an object") }
                if let raw = p["binary_data_size"] {
                    guard let n = jsonNumber(raw), let v = Int(exactly: n), v >= 0 else {
                        throw .bad("input '\(name)': binary_data_size must be a non-negative integer")
                    }
                    size = v
                }
            }
            let values: [Float]
            if let size {
                guard tensor["data"] == nil else { throw .bad("input '\(name)' has both 'data' and binary_data_size") }
                guard headerLength != nil else {
                    throw .bad("input '\(name)' has binary_data_size but the request has no Inference-Header-Content-Length header")
                }
                let expected = elements * datatype.size!
                guard size == expected else {
                    throw .bad("input '\(name)': binary_data_size \(size) does not match shape \(shape) of \(typeName) (\(expected) bytes)")
                }
                guard binaryCursor + size <= body.count else {
                    throw .bad("input '\(name)': binary data runs past the end of the body (\(body.count - binaryCursor) bytes left, \(size) needed)")
                }
                values = decodeBinary(body, from: binaryCursor, count: elements, as: datatype)
                binaryCursor += size
            } else {
                guard let data = tensor["data"] else { throw .bad("input '\(name)' has neither 'data' nor binary_data_size") }
                var flat: [Float] = []
                flat.reserveCapacity(elements)
                try flatten(data, into: &flat, name: name, datatype: datatype, limit: elements)
                guard flat.count == elements else {
                    throw .bad("input '\(name)': 'data' has \(flat.count) elements, shape \(shape) needs \(elements)")
                }
                values = flat
            }
            inputs.append(InputTensor(name: name, datatype: datatype, shape: shape, values: values))
        }
        guard binaryCursor == body.count else {
            throw .bad("\(body.count - binaryCursor) bytes of binary data after the last input are not claimed by any binary_data_size")
        }
        var outputs: [(name: String, binary: Bool?)]?
        if let raw = request["outputs"] {
            guard let list = raw as? [Any] else { throw .bad("'outputs' must be an array") }
            outputs = try list.enumerated().map { (index, item) throws(InferenceError) -> (name: String, binary: Bool?) in
                guard let o = item as? [String: Any], let name = o["name"] as? String else {
                    throw .bad("outputs[\(index)] must be an object with a 'name'")
                }
                var binary: Bool?
                if let p = o["parameters"] as? [String: Any], let flag = p["binary_data"] {
                    guard let b = jsonBool(flag) else { throw .bad("output '\(name)': binary_data must be true or false") }
                    binary = b
                }
                return (name, binary)
            }
        }
        return InferenceRequest(id: id, inputs: inputs, outputs: outputs, binaryOutput: binaryOutput)
    }

    private static func flatten(_ value: Any, into out: inout [Float], name: String, datatype: TensorType,
                                limit: Int) throws(InferenceError) {
        if let list = value as? [Any] {
            for item in list {
                try flatten(item, into: &out, name: name, datatype: datatype, limit: limit)
                if out.count > limit { throw .bad("input '\(name)': 'data' has more elements than its shape") }
            }
            return
        }
        guard let d = jsonNumber(value) else {
            throw .bad("input '\(name)': 'data' must hold numbers, found \(value is NSNull ? "null" : "\(value)")")
        }
        if datatype == .int32 || datatype == .int64 {
            guard d == d.rounded() else { throw .bad("input '\(name)': \(d) is not an integer (datatype \(datatype.rawValue))") }
        }
        out.append(Float(d))
    }

    private static func decodeBinary(_ body: [UInt8], from start: Int, count: Int, as datatype: TensorType) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            body.withUnsafeBytes { raw in
                switch datatype {
                case .fp32:
                    for i in 0..<count {
                        buffer[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * i, as: UInt32.self)))
                    }
                case .fp64:
                    for i in 0..<count {
                        buffer[i] = Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 8 * i, as: UInt64.self))))
                    }
                case .int32:
                    for i in 0..<count {
                        buffer[i] = Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * i, as: Int32.self)))
                    }
                case .int64:
                    for i in 0..<count {
                        buffer[i] = Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 8 * i, as: Int64.self)))
                    }
                case .bytes:
                    break
                }
            }
            initialized = count
        }
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
    public static func encodeResponse(model: String, version: String, id: String?, outputs: [OutputTensor],
                                      binary: [Bool]) -> (body: [UInt8], headerLength: Int?) {
        var json = "{\"model_name\":\(quote(model)),\"model_version\":\(quote(version))"
        if let id { json += ",\"id\":\(quote(id))" }
        json += ",\"outputs\":["
        var tail: [UInt8] = []
        for (index, output) in outputs.enumerated() {
            if index > 0 { json += "," }
            json += "{\"name\":\(quote(output.name)),\"datatype\":\"\(output.datatype.rawValue)\",\"shape\":[\(output.shape.map(String.init).joined(separator: ","))]"
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
    public static func quote(_ s: String) -> String {
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
