import Foundation

/// A contiguous run of rows inside one block of `data.bin`, pointing into the memory map.
///
/// Valid while the ``DatasetVersion`` it came from is alive; no bytes are copied.
package struct RowSlice {
    /// Index of the first row in the dataset.
    package let firstRow: Int
    /// `count × featureCount` Float32 features, row-major.
    package let features: UnsafeBufferPointer<Float>
    /// `count` labels.
    package let labels: UnsafeBufferPointer<Float>
    /// Rows in the slice.
    package var count: Int { labels.count }
}

/// A stored, immutable dataset version opened for reading: the manifest, schema and statistics,
/// and `data.bin` memory-mapped read-only.
package final class DatasetVersion: @unchecked Sendable {
    package let directory: URL
    package let manifest: DatasetManifest
    package let schema: DatasetSchema
    package let statistics: DatasetStatistics
    package let layout: DataFileLayout
    private let mapping: UnsafeRawPointer
    private let mappedBytes: Int

    /// Opens the version stored in `directory`. Throws ``DatasetError/corruptVersion(path:detail:)``
    /// when a file is missing or inconsistent with the others.
    package init(directory: URL) throws {
        self.directory = directory
        manifest = try DatasetStore.decodeJSON(
            DatasetManifest.self, from: directory.appendingPathComponent("manifest.json"))
        schema = try DatasetStore.decodeJSON(DatasetSchema.self, from: directory.appendingPathComponent("schema.json"))
        statistics = try DatasetStore.decodeJSON(
            DatasetStatistics.self, from: directory.appendingPathComponent("stats.json"))
        let path = directory.appendingPathComponent("data.bin").path
        let reader = try FileReader(path: path)
        let size = Int(try reader.size())
        guard size >= DataFileLayout.headerSize else {
            throw DatasetError.corruptVersion(path: path, detail: "\(size) bytes is shorter than the header")
        }
        guard let map = mmap(nil, size, PROT_READ, MAP_SHARED, reader.fd, 0), map != MAP_FAILED else {
            throw DatasetError.io(path: path, call: "mmap", code: errno)
        }
        mapping = UnsafeRawPointer(map)
        mappedBytes = size
        do {
            layout = try DataFileLayout.parse(
                header: UnsafeRawBufferPointer(start: mapping, count: 64),
                fileSize: size, path: path)
        } catch {
            munmap(map, size)
            throw error
        }
        guard layout.features == schema.featureCount, layout.rows == manifest.rows else {
            munmap(map, size)
            throw DatasetError.corruptVersion(
                path: path,
                detail: "data.bin has \(layout.rows) rows × \(layout.features) "
                    + "features; manifest and schema say \(manifest.rows) × \(schema.featureCount)")
        }
    }

    /// A copy with its data in anonymous memory (`residentCopy()`).
    private init(copying other: DatasetVersion, into memory: UnsafeRawPointer, bytes: Int) {
        directory = other.directory
        manifest = other.manifest
        schema = other.schema
        statistics = other.statistics
        layout = other.layout
        mapping = memory
        mappedBytes = bytes
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: mapping), mappedBytes) }

    /// Bytes of `data.bin` (what ``residentCopy()`` allocates, rounded up to 2 MiB).
    package var dataFileBytes: Int { layout.fileSize }

    /// The same version read from a private copy of `data.bin` in anonymous memory on
    /// transparent huge pages (`MADV_HUGEPAGE`), for random-row reads: a row at a random position
    /// in the file's 4 KiB page-cache pages costs a TLB miss as well as a cache miss; with 2 MiB
    /// pages the page walk mostly hits (`DataBench gather`: ~250–290 ns against ~110–140 ns per
    /// row of 128 features). Costs the file's size in memory and one sequential copy.
    package func residentCopy() throws -> DatasetVersion {
        let huge = 2 << 20
        let bytes = (layout.fileSize + huge - 1) / huge * huge
        guard let memory = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
            memory != MAP_FAILED
        else {
            throw DatasetError.io(path: directory.appendingPathComponent("data.bin").path, call: "mmap", code: errno)
        }
        _ = madvise(memory, bytes, 14)  // MADV_HUGEPAGE; without THP the copy still works, on 4 KiB pages
        memory.copyMemory(from: mapping, byteCount: layout.fileSize)
        return DatasetVersion(copying: self, into: UnsafeRawPointer(memory), bytes: bytes)
    }

    package var digest: String { manifest.digest }
    package var rowCount: Int { layout.rows }
    package var featureCount: Int { layout.features }

    /// Bytes of the stored files.
    package var sizeBytes: Int64 {
        ["data.bin", "schema.json", "stats.json", "manifest.json"].reduce(Int64(0)) { total, name in
            let attributes = try? FileManager.default.attributesOfItem(
                atPath: directory.appendingPathComponent(name).path)
            return total + ((attributes?[.size] as? NSNumber)?.int64Value ?? 0)
        }
    }

    /// Maps the pages of rows `range` into this process in one call (`MADV_POPULATE_READ`,
    /// Linux 5.14+; elsewhere a no-op), instead of one page fault per 4 KiB as they are touched.
    /// Reads the file from disk if it is not in the page cache.
    package func prefetch(rows range: Range<Int>) {
        guard !range.isEmpty else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = layout.featureOffset(row: range.lowerBound) / page * page
        let last = min(mappedBytes, layout.labelOffset(row: range.upperBound - 1) + 4)
        #if os(Linux)
            _ = madvise(UnsafeMutableRawPointer(mutating: mapping + first), last - first, 22)
        #endif
    }

    /// Calls `body` with the zero-copy slices covering rows `range` (one per block touched).
    /// Precondition: `range` lies within `0..<rowCount`.
    package func withRows(_ range: Range<Int>, _ body: (RowSlice) throws -> Void) rethrows {
        precondition(
            range.lowerBound >= 0 && range.upperBound <= layout.rows, "rows \(range) outside 0..<\(layout.rows)")
        var r = range.lowerBound
        let f = layout.features
        while r < range.upperBound {
            let b = r / layout.rowsPerBlock
            let blockEnd = min((b + 1) * layout.rowsPerBlock, layout.rows)
            let n = min(blockEnd, range.upperBound) - r
            let features = (mapping + layout.featureOffset(row: r)).assumingMemoryBound(to: Float.self)
            let labels = (mapping + layout.labelOffset(row: r)).assumingMemoryBound(to: Float.self)
            try body(
                RowSlice(
                    firstRow: r, features: UnsafeBufferPointer(start: features, count: n * f),
                    labels: UnsafeBufferPointer(start: labels, count: n)))
            r += n
        }
    }

    /// Copies rows `range` into contiguous `features` (`count × featureCount`) and `labels`.
    package func copyRows(
        _ range: Range<Int>, features: UnsafeMutablePointer<Float>, labels: UnsafeMutablePointer<Float>
    ) {
        let f = layout.features
        withRows(range) { slice in
            let offset = slice.firstRow - range.lowerBound
            if !slice.features.isEmpty {
                (features + offset * f).update(from: slice.features.baseAddress!, count: slice.features.count)
            }
            (labels + offset).update(from: slice.labels.baseAddress!, count: slice.count)
        }
    }

    /// Copies the rows at `indices` (in that order) into contiguous buffers: a mini-batch gather.
    package func gatherRows(
        _ indices: some Collection<Int>, features: UnsafeMutablePointer<Float>,
        labels: UnsafeMutablePointer<Float>
    ) {
        if let array = indices as? [Int] {
            array.withUnsafeBufferPointer { gatherRows($0, features: features, labels: labels) }
            return
        }
        let f = layout.features
        for (k, r) in indices.enumerated() {
            precondition(r >= 0 && r < layout.rows, "row \(r) outside 0..<\(layout.rows)")
            let src = (mapping + layout.featureOffset(row: r)).assumingMemoryBound(to: Float.self)
            (features + k * f).update(from: src, count: f)
            labels[k] = (mapping + layout.labelOffset(row: r)).load(as: Float.self)
        }
    }

    /// ``gatherRows(_:features:labels:)`` for a buffer of indices: no generic dispatch per row,
    /// one block lookup per row. The hot path of mini-batch reads.
    package func gatherRows(
        _ indices: UnsafeBufferPointer<Int>, features: UnsafeMutablePointer<Float>,
        labels: UnsafeMutablePointer<Float>
    ) {
        let f = layout.features
        let perBlock = layout.rowsPerBlock
        let rows = layout.rows
        let base = UnsafeRawPointer(mapping)
        for k in indices.indices {
            precondition(indices[k] >= 0 && indices[k] < rows, "row \(indices[k]) outside 0..<\(rows)")
        }
        /// Byte offsets of row `r`'s features and label.
        @inline(__always) func offsets(_ r: Int) -> (features: Int, label: Int) {
            let b = r / perBlock
            let inBlock = r - b * perBlock
            let blockStart = layout.blockOffset(b)
            let blockRows = min(perBlock, rows - b * perBlock)
            return (blockStart + inBlock * f * 4, blockStart + blockRows * f * 4 + inBlock * 4)
        }
        // Rows at random positions cost a TLB miss and a cache miss per line each. Prefetching
        // every line of the row `ahead` positions on (and its label's line) keeps ~a dozen rows'
        // misses in flight while this row is copied (`DataBench gather --resident`: 170-190 ns per
        // row, against 220-320 when only the first line was touched and the row's other lines
        // then missed one after another).
        let ahead = 16
        let rowBytes = f * 4
        for k in 0..<indices.count {
            if k + ahead < indices.count {
                let next = offsets(indices[k + ahead])
                var line = 0
                while line < rowBytes {
                    prefetchLine(base + next.features + line)
                    line += 64
                }
                prefetchLine(base + next.label)
            }
            let at = offsets(indices[k])
            (features + k * f).update(from: (base + at.features).assumingMemoryBound(to: Float.self), count: f)
            labels[k] = (base + at.label).load(as: Float.self)
        }
    }

    /// The rows `range` as arrays (convenient for tests and small data).
    package func rows(_ range: Range<Int>) -> (features: [Float], labels: [Float]) {
        var features = [Float](repeating: 0, count: range.count * layout.features)
        var labels = [Float](repeating: 0, count: range.count)
        features.withUnsafeMutableBufferPointer { fp in
            labels.withUnsafeMutableBufferPointer { lp in
                copyRows(
                    range, features: fp.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!,
                    labels: lp.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!)
            }
        }
        return (features, labels)
    }

    /// Values of feature `index` for every row (one strided read), e.g. for fitting transforms.
    package func featureColumn(_ index: Int) -> [Float] {
        var out = [Float]()
        out.reserveCapacity(layout.rows)
        withRows(0..<layout.rows) { slice in
            for r in 0..<slice.count { out.append(slice.features[r * layout.features + index]) }
        }
        return out
    }

    /// All labels in row order.
    package func labels() -> [Float] {
        var out = [Float]()
        out.reserveCapacity(layout.rows)
        withRows(0..<layout.rows) { out.append(contentsOf: $0.labels) }
        return out
    }

    /// The whole mapped `data.bin` (header included), e.g. to stream a version to a worker that
    /// caches it by digest. Valid while this object is alive.
    package var fileBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: mapping, count: mappedBytes) }
}

/// A software prefetch of the cache line at `address` into all levels (`prefetcht0`). Swift has
/// no prefetch function, so this binds LLVM's intrinsic as GradientCore's fused kernel does; the
/// last three arguments must be literal constants. A prefetch never faults.
@inline(__always)
func prefetchLine(_ address: UnsafeRawPointer) {
    llvmPrefetch(address, 0, 3, 1)
}

@_silgen_name("llvm.prefetch.p0")
private func llvmPrefetch(_ address: UnsafeRawPointer, _ write: Int32, _ locality: Int32, _ cacheType: Int32)
