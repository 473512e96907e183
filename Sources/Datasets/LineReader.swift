import Foundation

/// Streams the lines of a file (without `\n` or a trailing `\r`) through a bounded buffer.
struct LineReader {
    let reader: FileReader
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var start = 0
    private var end = 0
    private var eof = false
    /// 1-based number of the current line.
    private(set) var line = 0
    let maxLineBytes = 1 << 26

    init(reader: FileReader, bufferSize: Int = 1 << 22) {
        self.reader = reader
        capacity = bufferSize
        buffer = .allocate(capacity: bufferSize)
    }

    func release() { buffer.deallocate() }

    /// The next line as (pointer, length), valid until the next call; nil at end of file.
    mutating func next() throws -> (UnsafePointer<UInt8>, Int)? {
        while true {
            if start < end, let p = memchr(buffer + start, 0x0A, end - start) {
                let e = buffer.distance(to: p.assumingMemoryBound(to: UInt8.self))
                return emit(e, next: e + 1)
            }
            if eof {
                if start < end { return emit(end, next: end) }
                return nil
            }
            if start > 0 {
                memmove(buffer, buffer + start, end - start)
                end -= start
                start = 0
            }
            if end == capacity {
                guard capacity < maxLineBytes else {
                    throw DatasetError.malformed(
                        at: SourcePosition(file: reader.path, line: line + 1),
                        detail: "a line is longer than \(maxLineBytes) bytes")
                }
                let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
                grown.update(from: buffer, count: end)
                buffer.deallocate()
                buffer = grown
                capacity *= 2
            }
            let n = try reader.read(into: buffer + end, count: capacity - end)
            if n == 0 { eof = true } else { end += n }
        }
    }

    private mutating func emit(_ e: Int, next: Int) -> (UnsafePointer<UInt8>, Int) {
        var length = e - start
        if length > 0, buffer[start + length - 1] == 0x0D { length -= 1 }
        let result = (UnsafePointer(buffer + start), length)
        start = next
        line += 1
        return result
    }
}
