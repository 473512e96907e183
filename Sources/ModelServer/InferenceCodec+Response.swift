import NIOCore

/// Where the response encoder writes bytes: a byte array, or the server's `ByteBuffer` so that
/// the response is built once, in the buffer that is sent.
protocol ResponseBytes {
    mutating func append(byte: UInt8)
    mutating func append(bytes: UnsafeRawBufferPointer)
    /// Bytes written so far.
    var byteCount: Int { get }
}

extension Array: ResponseBytes where Element == UInt8 {
    mutating func append(byte: UInt8) { append(byte) }
    mutating func append(bytes: UnsafeRawBufferPointer) { append(contentsOf: bytes) }
    var byteCount: Int { count }
}

extension ByteBuffer: ResponseBytes {
    mutating func append(byte: UInt8) { writeInteger(byte) }
    mutating func append(bytes: UnsafeRawBufferPointer) { writeBytes(bytes) }
    var byteCount: Int { writerIndex }
}

extension ResponseBytes {
    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// A number's shortest round-trip text (`description`, as string interpolation writes it).
    /// Short descriptions are small strings: no allocation.
    mutating func append(number: some CustomStringConvertible) {
        var text = number.description
        text.withUTF8 { append(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// A JSON string literal: `"`, `\`, and control characters escaped, the rest copied as UTF-8.
    mutating func append(quoted text: String) {
        var text = text
        append(byte: UInt8(ascii: "\""))
        text.withUTF8 { utf8 in
            var runStart = 0
            for (i, b) in utf8.enumerated() where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
                append(bytes: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[runStart..<i]))
                runStart = i + 1
                switch b {
                case UInt8(ascii: "\""): append("\\\"")
                case UInt8(ascii: "\\"): append("\\\\")
                case 0x0A: append("\\n")
                case 0x0D: append("\\r")
                case 0x09: append("\\t")
                default:
                    let digits: StaticString = "0123456789abcdef"
                    append("\\u00")
                    append(byte: digits.utf8Start[Int(b >> 4)])
                    append(byte: digits.utf8Start[Int(b & 0xF)])
                }
            }
            append(bytes: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[runStart...]))
        }
        append(byte: UInt8(ascii: "\""))
    }
}

extension InferenceCodec {
    /// The response body and, for binary outputs, the JSON header length to send as
    /// `Inference-Header-Content-Length`.
    package static func encodeResponse(
        model: String, version: String, id: String?, outputs: [OutputTensor],
        binary: [Bool]
    ) -> (body: [UInt8], headerLength: Int?) {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        let headerLength = writeResponse(
            into: &out, model: model, version: version, id: id, outputs: outputs, binary: binary)
        return (out, headerLength)
    }

    /// Writes the response into `buffer` (from its writer index) and returns the JSON header
    /// length for binary outputs, nil when every output is JSON. The bytes are those of
    /// ``encodeResponse(model:version:id:outputs:binary:)``. Complexity O(output elements).
    package static func encodeResponse(
        into buffer: inout ByteBuffer, model: String, version: String, id: String?,
        outputs: [OutputTensor], binary: [Bool]
    ) -> Int? {
        writeResponse(into: &buffer, model: model, version: version, id: id, outputs: outputs, binary: binary)
    }

    static func writeResponse<Out: ResponseBytes>(
        into out: inout Out, model: String, version: String, id: String?,
        outputs: [OutputTensor], binary: [Bool]
    ) -> Int? {
        let start = out.byteCount
        out.append("{\"model_name\":")
        out.append(quoted: model)
        out.append(",\"model_version\":")
        out.append(quoted: version)
        if let id {
            out.append(",\"id\":")
            out.append(quoted: id)
        }
        out.append(",\"outputs\":[")
        for (index, output) in outputs.enumerated() {
            if index > 0 { out.append(byte: UInt8(ascii: ",")) }
            out.append("{\"name\":")
            out.append(quoted: output.name)
            out.append(",\"datatype\":\"")
            switch output.data {
            case .floats: out.append("FP32")
            case .integers: out.append("INT64")
            case .strings: out.append("BYTES")
            }
            out.append("\",\"shape\":[")
            for (k, d) in output.shape.enumerated() {
                if k > 0 { out.append(byte: UInt8(ascii: ",")) }
                out.append(number: d)
            }
            out.append("]")
            if binary[index] {
                out.append(",\"parameters\":{\"binary_data_size\":")
                out.append(number: binaryByteCount(output.data))
                out.append("}}")
            } else {
                out.append(",\"data\":[")
                appendJSONElements(output.data, to: &out)
                out.append("]}")
            }
        }
        out.append("]}")
        let headerLength = out.byteCount - start
        guard binary.contains(true) else { return nil }
        for (index, output) in outputs.enumerated() where binary[index] { appendBinary(output.data, to: &out) }
        return headerLength
    }

    static func appendJSONElements<Out: ResponseBytes>(_ data: OutputData, to out: inout Out) {
        switch data {
        case .floats(let values):
            for (k, v) in values.enumerated() {
                if k > 0 { out.append(byte: UInt8(ascii: ",")) }
                if v.isFinite { out.append(number: v) } else { out.append("null") }
            }
        case .integers(let values):
            for (k, v) in values.enumerated() {
                if k > 0 { out.append(byte: UInt8(ascii: ",")) }
                out.append(number: v)
            }
        case .strings(let values):
            for (k, v) in values.enumerated() {
                if k > 0 { out.append(byte: UInt8(ascii: ",")) }
                out.append(quoted: v)
            }
        }
    }

    /// Bytes of an output in the binary tensor extension (BYTES: 4-byte length, then UTF-8).
    static func binaryByteCount(_ data: OutputData) -> Int {
        switch data {
        case .floats(let values): return values.count * 4
        case .integers(let values): return values.count * 8
        case .strings(let values): return values.reduce(0) { $0 + 4 + $1.utf8.count }
        }
    }

    static func appendBinary<Out: ResponseBytes>(_ data: OutputData, to out: inout Out) {
        switch data {
        case .floats(let values):
            for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(bytes: $0) } }
        case .integers(let values):
            for v in values { withUnsafeBytes(of: v.littleEndian) { out.append(bytes: $0) } }
        case .strings(let values):
            for s in values {
                var s = s
                withUnsafeBytes(of: UInt32(s.utf8.count).littleEndian) { out.append(bytes: $0) }
                s.withUTF8 { out.append(bytes: UnsafeRawBufferPointer($0)) }
            }
        }
    }

    static func binaryBytes(_ data: OutputData) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(binaryByteCount(data))
        appendBinary(data, to: &out)
        return out
    }

    /// A JSON string literal.
    package static func quote(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 2)
        out.append(quoted: s)
        return String(decoding: out, as: UTF8.self)
    }
}
