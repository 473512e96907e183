/// A bounds-checked little-endian reader over one received frame.
///
/// Every read names its field; a read past the end throws ``ProtocolError/truncated(_:needed:available:)``.
/// Lengths read from the wire are checked against the remaining bytes before anything is allocated.
struct FieldReader {
    let bytes: [UInt8]
    let kind: MessageKind
    let frame: Int
    private(set) var offset: Int

    init(_ bytes: [UInt8], kind: MessageKind, frame: Int, offset: Int = 0) {
        self.bytes = bytes
        self.kind = kind
        self.frame = frame
        self.offset = offset
    }

    /// The position of the next field, named `field`.
    func position(_ field: String, at offset: Int? = nil) -> FieldPosition {
        FieldPosition(kind: kind, field: field, frame: frame, offset: offset ?? self.offset)
    }

    var remaining: Int { bytes.count - offset }

    private mutating func take(_ count: Int, _ field: String) throws(ProtocolError) -> Int {
        guard count >= 0, count <= remaining else {
            throw .truncated(position(field), needed: count, available: max(remaining, 0))
        }
        let start = offset
        offset += count
        return start
    }

    private mutating func unsigned(_ size: Int, _ field: String) throws(ProtocolError) -> UInt64 {
        let start = try take(size, field)
        var value: UInt64 = 0
        for index in 0..<size {
            value |= UInt64(bytes[start + index]) << (8 * UInt64(index))
        }
        return value
    }

    mutating func u8(_ field: String) throws(ProtocolError) -> UInt8 {
        UInt8(truncatingIfNeeded: try unsigned(1, field))
    }
    mutating func u16(_ field: String) throws(ProtocolError) -> UInt16 {
        UInt16(truncatingIfNeeded: try unsigned(2, field))
    }
    mutating func u32(_ field: String) throws(ProtocolError) -> UInt32 {
        UInt32(truncatingIfNeeded: try unsigned(4, field))
    }
    mutating func u64(_ field: String) throws(ProtocolError) -> UInt64 { try unsigned(8, field) }
    mutating func f64(_ field: String) throws(ProtocolError) -> Double { Double(bitPattern: try unsigned(8, field)) }

    mutating func raw(_ count: Int, _ field: String) throws(ProtocolError) -> [UInt8] {
        let start = try take(count, field)
        return Array(bytes[start..<(start + count)])
    }

    /// Reads `size` reserved bytes and requires them to be zero.
    mutating func reserved(_ size: Int, _ field: String = "reserved") throws(ProtocolError) {
        let at = offset
        let value = try unsigned(size, field)
        guard value == 0 else { throw .reservedNotZero(position(field, at: at), found: value) }
    }

    mutating func jobID(_ field: String) throws(ProtocolError) -> JobID {
        JobID(validatedBytes: try raw(16, field))
    }

    mutating func digest(_ field: String) throws(ProtocolError) -> ContentDigest {
        ContentDigest(validatedBytes: try raw(32, field))
    }

    /// Reads a worker identity and requires a non-zero first byte (unless `allowZero`, for refusals).
    mutating func identity(_ field: String, allowZero: Bool = false) throws(ProtocolError) -> WorkerIdentity {
        let at = offset
        let bytes = try raw(16, field)
        if !allowZero && bytes[0] == 0 {
            throw .outOfRange(position(field, at: at), found: "first byte 0", expected: "a non-zero first byte")
        }
        return WorkerIdentity(unvalidatedBytes: bytes)
    }

    /// Reads a u32 that must lie in `range`.
    mutating func u32(_ field: String, in range: ClosedRange<UInt64>) throws(ProtocolError) -> UInt32 {
        try u32(field, from: range.lowerBound, through: range.upperBound)
    }

    /// Reads a u32 that must lie in `lower ... upper`; an empty interval (lower > upper, from values
    /// computed off the wire) rejects every value instead of trapping.
    mutating func u32(_ field: String, from lower: UInt64, through upper: UInt64) throws(ProtocolError) -> UInt32 {
        let at = offset
        let value = try u32(field)
        try Self.check(UInt64(value), from: lower, through: upper, position(field, at: at))
        return value
    }

    /// Reads a u64 that must lie in `range`.
    mutating func u64(_ field: String, in range: ClosedRange<UInt64>) throws(ProtocolError) -> UInt64 {
        try u64(field, from: range.lowerBound, through: range.upperBound)
    }

    /// Reads a u64 that must lie in `lower ... upper` (empty when lower > upper, without trapping).
    mutating func u64(_ field: String, from lower: UInt64, through upper: UInt64) throws(ProtocolError) -> UInt64 {
        let at = offset
        let value = try u64(field)
        try Self.check(value, from: lower, through: upper, position(field, at: at))
        return value
    }

    /// Reads a finite f64 loss-like sum; `step` goes into the error for the log.
    mutating func finite(_ field: String, step: UInt64) throws(ProtocolError) -> Double {
        let at = offset
        let value = try f64(field)
        guard value.isFinite else { throw .nonFiniteLoss(position(field, at: at), step: step, value: value) }
        return value
    }

    /// Reads a u32 byte length then that many bytes of UTF-8, at most `limit` bytes.
    mutating func string(_ field: String, limit: Int) throws(ProtocolError) -> String {
        let at = offset
        let length = try u32(field)
        guard UInt64(length) <= UInt64(limit) else {
            throw .tooLong(position(field, at: at), length: UInt64(length), limit: limit)
        }
        guard Int(length) <= remaining else {
            throw .truncated(position(field, at: at), needed: Int(length), available: remaining)
        }
        let start = try take(Int(length), field)
        let slice = bytes[start..<(start + Int(length))]
        guard let text = String(validating: slice, as: UTF8.self) else { throw .invalidUTF8(position(field, at: at)) }
        return text
    }

    /// Reads a u32 element count for a list of `elementSize`-byte entries, at most `limit`, and
    /// checks that the entries fit in the frame before the caller allocates.
    mutating func listCount(_ field: String, elementSize: Int, limit: Int) throws(ProtocolError) -> Int {
        let at = offset
        let count = try u32(field)
        guard UInt64(count) <= UInt64(limit) else {
            throw .tooLong(position(field, at: at), length: UInt64(count), limit: limit)
        }
        let needed = Int(count) * elementSize
        guard needed <= remaining else {
            throw .truncated(position(field, at: at), needed: needed, available: remaining)
        }
        return Int(count)
    }

    /// Requires every byte of the frame to have been read.
    func finish() throws(ProtocolError) {
        guard remaining == 0 else { throw .trailingBytes(kind, frame: frame, offset: offset, count: remaining) }
    }

    static func check(_ value: UInt64, from lower: UInt64, through upper: UInt64, _ position: FieldPosition)
        throws(ProtocolError)
    {
        guard lower <= value, value <= upper else {
            let expected =
                lower <= upper
                ? "\(lower)...\(upper)"
                : "no valid value (the range \(lower)...\(upper) implied by earlier fields is empty)"
            throw .outOfRange(position, found: String(value), expected: expected)
        }
    }
}

/// A little-endian writer building one outgoing frame.
struct FieldWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u16(_ value: UInt16) { append(UInt64(value), size: 2) }
    mutating func u32(_ value: UInt32) { append(UInt64(value), size: 4) }
    mutating func u64(_ value: UInt64) { append(value, size: 8) }
    mutating func f64(_ value: Double) { append(value.bitPattern, size: 8) }
    mutating func raw(_ value: [UInt8]) { bytes.append(contentsOf: value) }
    mutating func zeros(_ count: Int) { bytes.append(contentsOf: repeatElement(0, count: count)) }

    /// Writes a u32 byte length then the UTF-8 bytes (a length over 4 GiB is clamped, which the
    /// encoder's validation then rejects).
    mutating func string(_ value: String) {
        let utf8 = Array(value.utf8)
        u32(UInt32(clamping: utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// Overwrites a little-endian value at `offset` (used to patch the header length and frame count).
    mutating func patch(_ value: UInt64, size: Int, at offset: Int) {
        for index in 0..<size {
            bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))
        }
    }

    private mutating func append(_ value: UInt64, size: Int) {
        for index in 0..<size {
            bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))))
        }
    }
}
