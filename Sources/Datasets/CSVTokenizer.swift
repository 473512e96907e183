import Foundation

/// A streaming CSV record reader over raw bytes (RFC 4180 quoting, any one-byte delimiter).
///
/// Memory is bounded by the read buffer (grown only for a single record longer than it, up to
/// `maxRecordBytes`). Fields are byte ranges into the buffer, valid until the next call to
/// ``next()``; quoted fields are unescaped in place. Blank lines are skipped. A trailing `\r`
/// (CRLF files) is removed. Records without a quote take a fast path (`memchr` for the line end).
struct CSVTokenizer {
    let reader: FileReader
    let delimiter: UInt8
    let quote: UInt8 = 0x22
    let maxRecordBytes: Int
    private(set) var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var start = 0
    private var end = 0
    private var eof = false
    /// 1-based line number where the next record starts.
    private var nextLine = 1
    /// Line number where the current record starts.
    private(set) var line = 0
    /// Field byte offsets from `base` and lengths, `fieldCount` of them.
    private(set) var fieldStart: UnsafeMutablePointer<Int>
    private(set) var fieldLength: UnsafeMutablePointer<Int>
    private var fieldCapacity = 64
    private(set) var fieldCount = 0
    /// Total bytes consumed (for progress).
    private(set) var consumed: Int64 = 0

    init(reader: FileReader, delimiter: UInt8, bufferSize: Int = 1 << 22, maxRecordBytes: Int = 1 << 26) {
        self.reader = reader
        self.delimiter = delimiter
        self.maxRecordBytes = maxRecordBytes
        capacity = bufferSize
        base = .allocate(capacity: bufferSize + 1)
        fieldStart = .allocate(capacity: 64)
        fieldLength = .allocate(capacity: 64)
    }

    /// Frees the buffers; the tokenizer must not be used afterwards.
    func release() {
        base.deallocate()
        fieldStart.deallocate()
        fieldLength.deallocate()
    }

    /// The bytes of field `i` of the current record.
    @inline(__always)
    func field(_ i: Int) -> (UnsafePointer<UInt8>, Int) {
        (UnsafePointer(base + fieldStart[i]), fieldLength[i])
    }

    /// The text of field `i` (for messages and categorical levels).
    func fieldText(_ i: Int) -> String {
        let (p, n) = field(i)
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    /// Moves to the next record. Returns false at end of input.
    mutating func next() throws -> Bool {
        switch try nextRecord(split: true) {
        case .end: return false
        default: return true
        }
    }

    /// What ``nextRecord(split:)`` found.
    enum Record {
        /// A record without quotes, not split: its bytes (without the line end).
        case line(UnsafePointer<UInt8>, UnsafePointer<UInt8>)
        /// A record split into fields (`fieldCount`, ``field(_:)``).
        case fields
        case end
    }

    /// Moves to the next record; with `split == false` a record without quotes is returned as
    /// its raw line so the caller can parse fields in the same pass that finds them.
    mutating func nextRecord(split: Bool) throws -> Record {
        while true {
            // Skip blank lines.
            while start < end,
                base[start] == 0x0A || (base[start] == 0x0D && start + 1 < end && base[start + 1] == 0x0A)
            {
                if base[start] == 0x0D { start += 1; consumed += 1 }
                start += 1
                consumed += 1
                nextLine += 1
            }
            if start >= end {
                if eof { return .end }
                try refill()
                continue
            }
            let remaining = end - start
            let lineEnd: Int
            if let p = memchr(base + start, Int32(0x0A), remaining) {
                lineEnd = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
            } else if eof {
                lineEnd = end
            } else {
                try refill()
                continue
            }
            if memchr(base + start, Int32(quote), lineEnd - start) == nil {
                let first = start
                var last = lineEnd
                if last > first, base[last - 1] == 0x0D { last -= 1 }
                if split { splitSimple(from: start, to: lineEnd) }
                line = nextLine
                nextLine += 1
                consumed += Int64(min(lineEnd + 1, end) - start)
                start = min(lineEnd + 1, end)
                return split ? .fields : .line(UnsafePointer(base + first), UnsafePointer(base + last))
            }
            if try splitQuoted() { return .fields }
        }
    }

    private mutating func appendField(_ s: Int, _ length: Int) {
        if fieldCount == fieldCapacity {
            let newCapacity = fieldCapacity * 2
            let ns = UnsafeMutablePointer<Int>.allocate(capacity: newCapacity)
            let nl = UnsafeMutablePointer<Int>.allocate(capacity: newCapacity)
            ns.update(from: fieldStart, count: fieldCount)
            nl.update(from: fieldLength, count: fieldCount)
            fieldStart.deallocate()
            fieldLength.deallocate()
            fieldStart = ns
            fieldLength = nl
            fieldCapacity = newCapacity
        }
        fieldStart[fieldCount] = s
        fieldLength[fieldCount] = length
        fieldCount += 1
    }

    private mutating func splitSimple(from s: Int, to e: Int) {
        fieldCount = 0
        var last = e
        if last > s, base[last - 1] == 0x0D { last -= 1 }
        var fieldBegin = s
        var i = s
        let d = delimiter
        while i < last {
            if base[i] == d {
                appendField(fieldBegin, i - fieldBegin)
                fieldBegin = i + 1
            }
            i += 1
        }
        appendField(fieldBegin, last - fieldBegin)
    }

    /// Slow path for a record containing quotes: finds the record end (quotes may hide newlines
    /// and delimiters), refilling as needed, then splits and unescapes in place.
    /// Returns false when the buffer had to be refilled (the caller retries).
    private mutating func splitQuoted() throws -> Bool {
        var i = start
        var inQuotes = false
        var newlines = 0
        var recordEnd = -1
        while i < end {
            let b = base[i]
            if inQuotes {
                if b == quote {
                    if i + 1 < end, base[i + 1] == quote { i += 2; continue }
                    if i + 1 >= end, !eof { break }
                    inQuotes = false
                } else if b == 0x0A {
                    newlines += 1
                }
            } else if b == quote {
                inQuotes = true
            } else if b == 0x0A {
                recordEnd = i
                break
            }
            i += 1
        }
        if recordEnd < 0 {
            if !eof || i < end {
                try refill()
                return false
            }
            if inQuotes {
                throw DatasetError.malformed(
                    at: SourcePosition(file: reader.path, line: nextLine),
                    detail: "a quoted field opened here is never closed")
            }
            recordEnd = end
        }
        fieldCount = 0
        var last = recordEnd
        if last > start, base[last - 1] == 0x0D { last -= 1 }
        var p = start
        var column = 1
        while true {
            if p < last, base[p] == quote {
                var r = p + 1
                var w = p
                while true {
                    if base[r] == quote {
                        if r + 1 < last, base[r + 1] == quote { base[w] = quote; w += 1; r += 2; continue }
                        r += 1
                        break
                    }
                    base[w] = base[r]
                    w += 1
                    r += 1
                }
                appendField(p, w - p)
                if r < last, base[r] != delimiter {
                    throw DatasetError.malformed(
                        at: SourcePosition(file: reader.path, line: nextLine, column: column),
                        detail: "unexpected character '\(Character(Unicode.Scalar(base[r])))' after a closing quote")
                }
                p = r + 1
                if r >= last { break }
            } else {
                var q = p
                while q < last, base[q] != delimiter { q += 1 }
                appendField(p, q - p)
                p = q + 1
                if q >= last { break }
            }
            column += 1
        }
        line = nextLine
        nextLine += 1 + newlines
        let next = min(recordEnd + 1, end)
        consumed += Int64(next - start)
        start = next
        return true
    }

    private mutating func refill() throws {
        if start > 0 {
            let keep = end - start
            if keep > 0 { memmove(base, base + start, keep) }
            end = keep
            start = 0
        }
        if end == capacity {
            guard capacity < maxRecordBytes else {
                throw DatasetError.malformed(
                    at: SourcePosition(file: reader.path, line: nextLine),
                    detail: "a record is longer than \(maxRecordBytes) bytes")
            }
            let newCapacity = min(capacity * 2, maxRecordBytes)
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity + 1)
            grown.update(from: base, count: end)
            base.deallocate()
            base = grown
            capacity = newCapacity
        }
        let n = try reader.read(into: base + end, count: capacity - end)
        if n == 0 { eof = true } else { end += n }
    }
}
