import Foundation

/// A source column as read, before encoding: categorical values are level ids (Float32),
/// missing values NaN.
struct RawColumn: Sendable, Equatable {
    var name: String
    var kind: ColumnKind
}

/// Pass 1 of an import: rows of raw values are appended to a spill file (Float32, row-major,
/// one value per source column) while per-column moments, level counts, a row reservoir for
/// quantiles, and duplicate-row hashes are accumulated.
///
/// Memory is bounded: the reservoir holds at most 32,768 rows (~8 M values), the duplicate table 2 M hashes
/// (rows beyond are checked against it but not added), the spill buffer 4 MiB.
///
/// Readers fill ``row`` and call ``commitRow()`` on their thread; a ``RowPipeline`` runs the
/// bookkeeping on a second thread, in row order. The reader side touches only `row`, `rows` and
/// the level tables; everything else belongs to the consumer until ``finish()`` returns.
final class RawTableBuilder: @unchecked Sendable {
    let columns: [RawColumn]
    let labelIndex: Int?
    let width: Int
    /// The row being filled by a reader; `commitRow()` hands it on and moves to a fresh slot.
    private(set) var row: UnsafeMutablePointer<Float>
    var levelTables: [LevelTable]
    /// Rows committed by the reader.
    private(set) var rows: Int64 = 0
    /// Rows processed by the consumer (equals `rows` after `finish()`).
    private var consumed: Int64 = 0
    private var pipeline: RowPipeline!
    private let spill: FileWriter
    let spillPath: String

    // Per-column accumulators (numeric columns; categorical ones use the level tables), kept in
    // raw buffers: the row loop is the import's hot path.
    private let acc: UnsafeMutablePointer<Double>
    private let counts: UnsafeMutablePointer<Int64>
    private let isNumeric: UnsafeMutablePointer<Bool>

    // Numeric label: distinct values while few, and whether all are integers.
    private(set) var labelValues: Set<Float> = []
    private(set) var labelAllIntegers = true
    static let maxNumericClasses = 64

    // Reservoir of whole rows (Algorithm R, SplitMix64 seeded by a constant: deterministic).
    let reservoirCapacity: Int
    private(set) var reservoir: [Float]
    private var reservoirRNG = SplitMix64(seed: 0x7261_696E_7961_7264)

    // Duplicate rows: open addressing over 64-bit row hashes.
    private static let hashSlotCount = 1 << 22
    private var hashSlots: UnsafeMutablePointer<UInt64>?
    private var hashCount = 0
    private static let hashBatch = 256
    private let pendingHashes = UnsafeMutablePointer<UInt64>.allocate(capacity: 256)
    private var pendingCount = 0
    private(set) var duplicateRows: Int64 = 0
    private(set) var firstDuplicateRow: Int64?

    /// Missing values of numeric column `c`.
    func missing(_ c: Int) -> Int64 { counts[c] }
    /// Infinite values of numeric column `c`.
    func infinite(_ c: Int) -> Int64 { counts[width + c] }
    /// Finite minimum of numeric column `c` (+inf when none).
    func minimum(_ c: Int) -> Double { acc[c] }
    /// Finite maximum of numeric column `c` (−inf when none).
    func maximum(_ c: Int) -> Double { acc[width + c] }

    init(columns: [RawColumn], labelIndex: Int?, spillPath: String) throws {
        self.columns = columns
        self.labelIndex = labelIndex
        width = columns.count
        self.spillPath = spillPath
        spill = try FileWriter(path: spillPath)
        row = UnsafeMutablePointer(bitPattern: 8)!
        levelTables = Array(repeating: LevelTable(), count: width)
        let w = max(1, width)
        acc = .allocate(capacity: 5 * w)
        acc.initialize(repeating: 0, count: 5 * w)
        (acc).update(repeating: .infinity, count: w)
        (acc + w).update(repeating: -.infinity, count: w)
        (acc + 2 * w).update(repeating: .nan, count: w)
        counts = .allocate(capacity: 2 * w)
        counts.initialize(repeating: 0, count: 2 * w)
        isNumeric = .allocate(capacity: w)
        isNumeric.initialize(repeating: false, count: w)
        for (c, column) in columns.enumerated() { isNumeric[c] = column.kind == .numeric }
        reservoirCapacity = max(1000, min(32_768, (1 << 23) / max(1, width)))
        reservoir = []
        reservoir.reserveCapacity(min(reservoirCapacity, 4096) * width)
        hashSlots = .allocate(capacity: Self.hashSlotCount)
        hashSlots!.initialize(repeating: 0, count: Self.hashSlotCount)
        madvise(hashSlots!, Self.hashSlotCount * 8, MADV_HUGEPAGE)
        pipeline = RowPipeline(width: width) { [unowned(unsafe) self] rows, count in
            for r in 0..<count { try self.consume(rows + r * self.width) }
        }
        row = pipeline.slot
    }

    deinit {
        pipeline.stop(cancel: true)
        acc.deallocate()
        counts.deallocate()
        isNumeric.deallocate()
        hashSlots?.deallocate()
        pendingHashes.deallocate()
    }

    /// Appends the current `row`; afterwards `row` points at the next slot to fill.
    @inline(__always)
    func commitRow() throws {
        rows += 1
        row = try pipeline.advance()
    }

    /// The consumer side of `commitRow()`. Complexity O(width).
    private func consume(_ row: UnsafePointer<Float>) throws {
        try spill.write(UnsafeRawPointer(row), count: width * 4)
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        let w = width
        let minimum = acc, maximum = acc + w, shift = acc + 2 * w, sum = acc + 3 * w, sumOfSquares = acc + 4 * w
        for c in 0..<w {
            let v = row[c]
            h = (h ^ UInt64(v.bitPattern)) &* 0x100_0000_01B3
            guard isNumeric[c] else { continue }
            if !v.isFinite {
                if v.isNaN { counts[c] += 1 } else { counts[w + c] += 1 }
                continue
            }
            let d = Double(v)
            if d < minimum[c] { minimum[c] = d }
            if d > maximum[c] { maximum[c] = d }
            if shift[c].isNaN { shift[c] = d }
            let x = d - shift[c]
            sum[c] += x
            sumOfSquares[c] += x * x
        }
        if let labelIndex, isNumeric[labelIndex] { noteLabel(row[labelIndex]) }
        pendingHashes[pendingCount] = SplitMix64.mix(h)
        pendingCount += 1
        sample(row)
        consumed += 1
        if pendingCount == Self.hashBatch { flushHashes() }
    }

    private func noteLabel(_ v: Float) {
        if labelAllIntegers, v.isFinite, v.rounded() != v { labelAllIntegers = false }
        if labelValues.count <= Self.maxNumericClasses { labelValues.insert(v) }
    }

    /// Looks up a batch of row hashes: independent loads let the CPU overlap the cache misses of
    /// the large table, which a lookup per row would serialise.
    private func flushHashes() {
        let base = consumed - Int64(pendingCount)
        for k in 0..<pendingCount { noteHash(pendingHashes[k], row: base + Int64(k)) }
        pendingCount = 0
    }

    private func noteHash(_ hash: UInt64, row: Int64) {
        guard let hashSlots else { return }
        let h = hash == 0 ? 1 : hash
        let mask = Self.hashSlotCount - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let existing = hashSlots[slot]
            if existing == h {
                duplicateRows += 1
                if firstDuplicateRow == nil { firstDuplicateRow = row }
                return
            }
            if existing == 0 { break }
            slot = (slot + 1) & mask
        }
        if hashCount < Self.hashSlotCount / 2 {
            hashSlots[slot] = h
            hashCount += 1
        }
    }

    private func sample(_ row: UnsafePointer<Float>) {
        if consumed < Int64(reservoirCapacity) {
            reservoir.append(contentsOf: UnsafeBufferPointer(start: row, count: width))
            return
        }
        let j = Int(reservoirRNG.nextBelow(UInt64(consumed + 1)))
        if j < reservoirCapacity {
            for c in 0..<width { reservoir[j * width + c] = row[c] }
        }
    }

    /// Count, mean and standard deviation (population) of the finite values of column `c`.
    func moments(_ c: Int) -> (count: Int64, mean: Double, std: Double) {
        let n = rows - missing(c) - infinite(c)
        guard n > 0 else { return (0, .nan, .nan) }
        let m = acc[3 * width + c] / Double(n)
        let variance = max(0, acc[4 * width + c] / Double(n) - m * m)
        return (n, acc[2 * width + c] + m, variance.squareRoot())
    }

    /// The reservoir's values of column `c` (NaN included), in reservoir order.
    func sampledValues(_ c: Int) -> [Float] {
        let n = reservoir.count / max(1, width)
        return (0..<n).map { reservoir[$0 * width + c] }
    }

    /// Waits for the consumer, flushes the spill file (a scratch file: no fsync) and frees the
    /// duplicate table.
    func finish() throws {
        try pipeline.finish()
        try spill.finish(sync: false)
        flushHashes()
        hashSlots?.deallocate()
        hashSlots = nil
    }
}
