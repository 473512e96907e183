import Foundation

/// A request the server refuses: the HTTP status and the message for `{"error": "..."}`.
package struct InferenceError: Error, CustomStringConvertible, Sendable, Equatable {
    package let status: Int
    package let message: String
    package init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }
    package var description: String { "\(status): \(message)" }
    static func bad(_ message: String) -> InferenceError { InferenceError(400, message) }
}

/// Tensor element types of the Open Inference Protocol that Trainyard reads or writes.
package enum TensorType: String, Sendable {
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
package struct InputTensor: Sendable {
    package var name: String
    package var datatype: TensorType
    package var shape: [Int]
    package var values: [Float]
}

/// An inference request (`POST /v2/models/{name}/infer`), decoded and checked for structure.
package struct InferenceRequest: Sendable {
    package var id: String?
    package var inputs: [InputTensor]
    /// Requested outputs and whether each is wanted as binary; nil means every output.
    package var outputs: [(name: String, binary: Bool?)]?
    /// `parameters.binary_data_output`: the default for outputs not listed.
    package var binaryOutput: Bool
}

/// One output tensor of a response.
package enum OutputData: Sendable {
    case floats([Float])
    case integers([Int64])
    case strings([String])
}

package struct OutputTensor: Sendable {
    package var name: String
    package var shape: [Int]
    package var data: OutputData

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
package enum InferenceCodec {
    /// Most elements one request may carry (bounds what a request can make the server allocate).
    package static let maximumElements = 16 << 20

    /// Decodes a request body. `headerLength` is the `Inference-Header-Content-Length` header:
    /// the JSON is that many leading bytes, the binary tensor data follows.
    package static func decodeRequest(_ body: [UInt8], headerLength: String?) throws(InferenceError) -> InferenceRequest
    {
        try body.withUnsafeBytes { raw in
            Result { () throws(InferenceError) in try decodeRequest(raw, headerLength: headerLength) }
        }.get()
    }

    /// Decodes a request body in place (the server passes its receive buffer); see
    /// ``decodeRequest(_:headerLength:)-([UInt8],_)``. The JSON is read by ``JSONScanner``:
    /// validated once, then walked by offset, with no intermediate tree. Checks run in a fixed
    /// order, so a request with several problems is always told the same one first.
    /// Complexity O(body size); allocates the tensors it returns and nothing per JSON value.
    package static func decodeRequest(_ body: UnsafeRawBufferPointer, headerLength: String?) throws(InferenceError)
        -> InferenceRequest
    {
        var jsonEnd = body.count
        if let headerLength {
            guard let n = Int(headerLength.trimmingCharacters(in: .whitespaces)), n >= 0, n <= body.count else {
                throw .bad(
                    "Inference-Header-Content-Length \(headerLength) is not a length within the \(body.count)-byte body"
                )
            }
            jsonEnd = n
        }
        guard jsonEnd > 0 else { throw .bad("empty request body; expected a JSON inference request") }
        let json = JSONScanner(UnsafeRawBufferPointer(rebasing: body[0..<jsonEnd]))
        let root: Int
        do {
            root = try json.validate()
        } catch {
            throw .bad("malformed JSON in the request: \(error.description)")
        }
        guard json[root] == UInt8(ascii: "{") else { throw .bad("the request must be a JSON object") }
        let top = try fields(json, root, ["id", "parameters", "inputs", "outputs"], in: "the request")
        var id: String?
        if top[0] >= 0 {
            guard json[top[0]] == UInt8(ascii: "\"") else { throw .bad("'id' must be a string") }
            id = json.string(top[0])
        }
        var binaryOutput = false
        if top[1] >= 0 {
            guard json[top[1]] == UInt8(ascii: "{") else { throw .bad("'parameters' must be an object") }
            let flag = try fields(json, top[1], ["binary_data_output"], in: "'parameters'")[0]
            if flag >= 0 {
                guard let b = bool(json, flag) else {
                    throw .bad("'parameters.binary_data_output' must be true or false")
                }
                binaryOutput = b
            }
        }
        guard top[2] >= 0, json[top[2]] == UInt8(ascii: "["), json[json.skipSpace(top[2] + 1)] != UInt8(ascii: "]")
        else {
            throw .bad("'inputs' must be a non-empty array of tensors")
        }
        var binaryCursor = jsonEnd
        var inputs: [InputTensor] = []
        var totalElements = 0
        var index = 0
        try json.forEachElement(top[2]) { (item) throws(InferenceError) in
            defer { index += 1 }
            guard json[item] == UInt8(ascii: "{") else { throw .bad("inputs[\(index)] must be an object") }
            let tensor = try fields(
                json, item, ["name", "datatype", "shape", "parameters", "data"], in: "inputs[\(index)]")
            guard tensor[0] >= 0, json[tensor[0]] == UInt8(ascii: "\"") else {
                throw .bad("inputs[\(index)].name must be a string")
            }
            let name = json.string(tensor[0])
            guard tensor[1] >= 0, json[tensor[1]] == UInt8(ascii: "\"") else {
                throw .bad("input '\(name)': 'datatype' must be a string")
            }
            let typeName = json.string(tensor[1])
            guard let datatype = TensorType(rawValue: typeName), datatype != .bytes else {
                throw .bad("input '\(name)': datatype \(typeName) is not supported (use FP32, FP64, INT32 or INT64)")
            }
            guard tensor[2] >= 0, json[tensor[2]] == UInt8(ascii: "[") else {
                throw .bad("input '\(name)': 'shape' must be an array")
            }
            var shape: [Int] = []
            var elements = 1
            try json.forEachElement(tensor[2]) { (d) throws(InferenceError) in
                guard let n = number(json, d), let v = Int(exactly: n), v >= 0 else {
                    throw .bad("input '\(name)': shape \(json.text(tensor[2])) must hold non-negative integers")
                }
                shape.append(v)
                let (product, overflow) = elements.multipliedReportingOverflow(by: v)
                guard !overflow, product <= maximumElements else {
                    throw InferenceError(
                        413, "input '\(name)': shape \(shape) has more than \(maximumElements) elements")
                }
                elements = product
            }
            totalElements += elements
            guard totalElements <= maximumElements else {
                throw InferenceError(413, "the request has more than \(maximumElements) elements")
            }
            var size: Int?
            if tensor[3] >= 0 {
                guard json[tensor[3]] == UInt8(ascii: "{") else {
                    throw .bad("input '\(name)': 'parameters' must be an object")
                }
                let raw = try fields(json, tensor[3], ["binary_data_size"], in: "input '\(name)' parameters")[0]
                if raw >= 0 {
                    guard let n = number(json, raw), let v = Int(exactly: n), v >= 0 else {
                        throw .bad("input '\(name)': binary_data_size must be a non-negative integer")
                    }
                    size = v
                }
            }
            let values: [Float]
            if let size {
                guard tensor[4] < 0 else { throw .bad("input '\(name)' has both 'data' and binary_data_size") }
                guard headerLength != nil else {
                    throw .bad(
                        "input '\(name)' has binary_data_size but the request has no Inference-Header-Content-Length header"
                    )
                }
                let expected = elements * datatype.size!
                guard size == expected else {
                    throw .bad(
                        "input '\(name)': binary_data_size \(size) does not match shape \(shape) of \(typeName) (\(expected) bytes)"
                    )
                }
                guard binaryCursor + size <= body.count else {
                    throw .bad(
                        "input '\(name)': binary data runs past the end of the body (\(body.count - binaryCursor) bytes left, \(size) needed)"
                    )
                }
                values = decodeBinary(body, from: binaryCursor, count: elements, as: datatype)
                binaryCursor += size
            } else {
                guard tensor[4] >= 0 else { throw .bad("input '\(name)' has neither 'data' nor binary_data_size") }
                var flat: [Float] = []
                // Each number takes at least two bytes with its separator: never reserve more than the text can fill.
                flat.reserveCapacity(min(elements, (json.bytes.count - tensor[4]) / 2 + 1))
                try flatten(json, tensor[4], into: &flat, name: name, datatype: datatype, limit: elements)
                guard flat.count == elements else {
                    throw .bad("input '\(name)': 'data' has \(flat.count) elements, shape \(shape) needs \(elements)")
                }
                values = flat
            }
            inputs.append(InputTensor(name: name, datatype: datatype, shape: shape, values: values))
        }
        guard binaryCursor == body.count else {
            throw .bad(
                "\(body.count - binaryCursor) bytes of binary data after the last input are not claimed by any binary_data_size"
            )
        }
        var outputs: [(name: String, binary: Bool?)]?
        if top[3] >= 0 {
            guard json[top[3]] == UInt8(ascii: "[") else { throw .bad("'outputs' must be an array") }
            var list: [(name: String, binary: Bool?)] = []
            var index = 0
            try json.forEachElement(top[3]) { (item) throws(InferenceError) in
                defer { index += 1 }
                guard json[item] == UInt8(ascii: "{") else {
                    throw .bad("outputs[\(index)] must be an object with a 'name'")
                }
                let output = try fields(json, item, ["name", "parameters"], in: "outputs[\(index)]")
                guard output[0] >= 0, json[output[0]] == UInt8(ascii: "\"") else {
                    throw .bad("outputs[\(index)] must be an object with a 'name'")
                }
                let name = json.string(output[0])
                var binary: Bool?
                if output[1] >= 0, json[output[1]] == UInt8(ascii: "{") {
                    let flag = try fields(json, output[1], ["binary_data"], in: "output '\(name)' parameters")[0]
                    if flag >= 0 {
                        guard let b = bool(json, flag) else {
                            throw .bad("output '\(name)': binary_data must be true or false")
                        }
                        binary = b
                    }
                }
                list.append((name, binary))
            }
            outputs = list
        }
        return InferenceRequest(id: id, inputs: inputs, outputs: outputs, binaryOutput: binaryOutput)
    }

    /// The offsets of the values of `names` in the object at `object` (-1: absent); other keys
    /// are ignored. A key given twice is refused rather than guessed at.
    private static func fields(
        _ json: JSONScanner, _ object: Int, _ names: [StaticString],
        in place: @autoclosure () -> String
    ) throws(InferenceError) -> KnownFields {
        var found = KnownFields()
        try json.forEachMember(object) { (key, keyEnd, escaped, value) throws(InferenceError) in
            for k in names.indices where json.stringEquals(key, end: keyEnd, escaped: escaped, names[k]) {
                guard found[k] < 0 else { throw .bad("duplicate key '\(names[k])' in \(place())") }
                found[k] = value
            }
        }
        return found
    }

    /// Appends the numbers of `data` (a number or nested arrays of numbers) at `i`, at most `limit`;
    /// returns the offset past the value. Reads each number once, in one pass over the array.
    @discardableResult
    private static func flatten(
        _ json: JSONScanner, _ i: Int, into out: inout [Float], name: String, datatype: TensorType,
        limit: Int
    ) throws(InferenceError) -> Int {
        if json[i] == UInt8(ascii: "[") {
            var j = json.skipSpace(i + 1)
            if json[j] == UInt8(ascii: "]") { return j + 1 }
            while true {
                j = json.skipSpace(try flatten(json, j, into: &out, name: name, datatype: datatype, limit: limit))
                if json[j] == UInt8(ascii: "]") { return j + 1 }
                j = json.skipSpace(j + 1)  // the ','
            }
        }
        guard json[i] == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(json[i]),
            let (d, end) = try? json.number(i)
        else {
            throw .bad("input '\(name)': 'data' must hold numbers, found \(json.text(i))")
        }
        if datatype == .int32 || datatype == .int64 {
            guard d == d.rounded() else {
                throw .bad("input '\(name)': \(d) is not an integer (datatype \(datatype.rawValue))")
            }
        }
        guard out.count < limit else { throw .bad("input '\(name)': 'data' has more elements than its shape") }
        out.append(Float(d))
        return end
    }

    /// The JSON number at `i` (validated), or nil for any other value.
    private static func number(_ json: JSONScanner, _ i: Int) -> Double? {
        let b = json[i]
        guard b == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) else { return nil }
        return try? json.number(i).value
    }

    /// The JSON boolean at `i` (validated), or nil for any other value.
    private static func bool(_ json: JSONScanner, _ i: Int) -> Bool? {
        switch json[i] {
        case UInt8(ascii: "t"): return true
        case UInt8(ascii: "f"): return false
        default: return nil
        }
    }

    /// Binary tensor data converted to Float32 (bounds checked by the caller).
    static func decodeBinary(_ body: UnsafeRawBufferPointer, from start: Int, count: Int, as datatype: TensorType)
        -> [Float]
    {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            let raw = body
            switch datatype {
            case .fp32:
                for i in 0..<count {
                    buffer[i] = Float(
                        bitPattern: UInt32(
                            littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * i, as: UInt32.self)))
                }
            case .fp64:
                for i in 0..<count {
                    buffer[i] = Float(
                        Double(
                            bitPattern: UInt64(
                                littleEndian: raw.loadUnaligned(fromByteOffset: start + 8 * i, as: UInt64.self))))
                }
            case .int32:
                for i in 0..<count {
                    buffer[i] = Float(
                        Int32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * i, as: Int32.self)))
                }
            case .int64:
                for i in 0..<count {
                    buffer[i] = Float(
                        Int64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 8 * i, as: Int64.self)))
                }
            case .bytes:
                break
            }
            initialized = count
        }
    }
}

/// The value offsets of up to five known keys of one JSON object (-1: absent), kept inline so
/// that looking them up allocates nothing.
struct KnownFields {
    private var a = -1, b = -1, c = -1, d = -1, e = -1

    subscript(_ k: Int) -> Int {
        get {
            switch k {
            case 0: a
            case 1: b
            case 2: c
            case 3: d
            default: e
            }
        }
        set {
            switch k {
            case 0: a = newValue
            case 1: b = newValue
            case 2: c = newValue
            case 3: d = newValue
            default: e = newValue
            }
        }
    }
}
