import Foundation

/// Distinct byte strings of a column, numbered in first-seen order, found without building a
/// `String` per field (open addressing on a 64-bit FNV-1a hash, byte comparison on hit).
struct LevelTable {
    private(set) var levels: [[UInt8]] = []
    private(set) var counts: [Int64] = []
    private var slots: [Int32] = Array(repeating: -1, count: 64)
    private var hashes: [UInt64] = []

    var count: Int { levels.count }

    /// The id of the `length` bytes at `bytes`, inserting them when new. Returns nil when the
    /// table already holds `limit` levels and these bytes are not among them.
    @inline(__always)
    mutating func id(_ bytes: UnsafePointer<UInt8>, _ length: Int, limit: Int) -> Int? {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for i in 0..<length { h = (h ^ UInt64(bytes[i])) &* 0x100_0000_01B3 }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let id = Int(slots[slot])
            if id < 0 { break }
            if hashes[id] == h, levels[id].count == length,
                levels[id].withUnsafeBufferPointer({ memcmp($0.baseAddress!, bytes, length) == 0 })
            {
                counts[id] += 1
                return id
            }
            slot = (slot + 1) & mask
        }
        if levels.count >= limit { return nil }
        let id = levels.count
        levels.append(Array(UnsafeBufferPointer(start: bytes, count: length)))
        hashes.append(h)
        counts.append(1)
        slots[slot] = Int32(id)
        if levels.count * 2 > slots.count { grow() }
        return id
    }

    /// Inserts `text` (used to pre-seed the levels of a reference schema).
    mutating func insert(_ text: String) {
        let bytes = Array(text.utf8) + [0]
        let n = bytes.count - 1
        let found = bytes.withUnsafeBufferPointer { id($0.baseAddress!, n, limit: .max)! }
        counts[found] -= 1
    }

    private mutating func grow() {
        slots = Array(repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (id, h) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: h) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(id)
        }
    }

    /// The level texts, by id.
    var texts: [String] { levels.map { String(decoding: $0, as: UTF8.self) } }
}
