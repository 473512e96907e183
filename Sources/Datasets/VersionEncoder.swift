import Crypto
import Foundation

/// Pass 2 of an import: decides the schema and label task from what pass 1 saw, runs the
/// warning checks, then re-reads the spill file and writes `data.bin` (one-hot expansion, class
/// indices), histograms, the digest, and the JSON files into a temporary directory.
struct VersionEncoder {
    let builder: RawTableBuilder
    let options: ImportOptions
    let file: String

    /// The encoded version in `directory`, not yet committed.
    struct Encoded {
        var digest: String
        var schema: DatasetSchema
        var statistics: DatasetStatistics
        var warnings: [QualityIssue]
    }

    func encode(into directory: URL) throws -> Encoded {
        let rows = Int(builder.rows)
        guard rows > 0 else { throw DatasetError.noRows(file: file) }
        let columns = builder.columns
        // Sorted levels and id → sorted-index maps.
        var sortedLevels: [[String]] = Array(repeating: [], count: columns.count)
        var remap: [[Int32]] = Array(repeating: [], count: columns.count)
        for (c, column) in columns.enumerated() where column.kind == .categorical {
            let table = builder.levelTables[c]
            let order = (0..<table.count).sorted { table.levels[$0].lexicographicallyPrecedes(table.levels[$1]) }
            var map = [Int32](repeating: 0, count: table.count)
            for (rank, id) in order.enumerated() { map[id] = Int32(rank) }
            remap[c] = map
            sortedLevels[c] = order.map { String(decoding: table.levels[$0], as: UTF8.self) }
        }
        let label = try labelSchema(sortedLevels: sortedLevels)
        // Numeric class labels in ascending order; a label's class index is its position.
        let classValues = builder.labelValues.sorted()
        // Schema.
        var schemaColumns: [ColumnSchema] = []
        var featureNames: [String] = []
        var featureOf = [Int](repeating: -1, count: columns.count)
        for (c, column) in columns.enumerated() {
            if c == builder.labelIndex {
                schemaColumns.append(
                    ColumnSchema(
                        name: column.name, kind: column.kind,
                        levels: column.kind == .categorical ? sortedLevels[c] : nil,
                        firstFeature: nil, featureCount: 0))
                continue
            }
            featureOf[c] = featureNames.count
            if column.kind == .numeric {
                schemaColumns.append(
                    ColumnSchema(
                        name: column.name, kind: .numeric, firstFeature: featureNames.count,
                        featureCount: 1))
                featureNames.append(column.name)
            } else {
                schemaColumns.append(
                    ColumnSchema(
                        name: column.name, kind: .categorical, levels: sortedLevels[c],
                        firstFeature: featureNames.count, featureCount: sortedLevels[c].count))
                featureNames += sortedLevels[c].map { "\(column.name)=\($0)" }
            }
        }
        let schema = DatasetSchema(columns: schemaColumns, features: featureNames, label: label)
        // Quantiles and decile edges from the reservoir.
        var sortedSamples: [[Double]] = Array(repeating: [], count: columns.count)
        var edges: [[Double]] = Array(repeating: [], count: columns.count)
        for (c, column) in columns.enumerated() where column.kind == .numeric {
            let values = builder.sampledValues(c).filter { $0.isFinite }.map(Double.init).sorted()
            sortedSamples[c] = values
            if !values.isEmpty {
                edges[c] = DatasetStatistics.decileEdges(
                    sorted: values, min: builder.minimum(c), max: builder.maximum(c))
            }
        }
        // Pass 2: write data.bin.
        let layout = DataFileLayout(features: featureNames.count, rows: rows)
        var hasher = try DatasetDigest(schema: schema)
        let writer = try FileWriter(path: directory.appendingPathComponent("data.bin").path)
        let header = layout.headerBytes()
        try writer.write(header)
        header.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        var histogramCounts: [[Int64]] = columns.indices.map { c in
            columns[c].kind == .numeric
                ? [Int64](repeating: 0, count: max(1, edges[c].count - 1))
                : [Int64](repeating: 0, count: sortedLevels[c].count)
        }
        var categoricalMissing = [Int64](repeating: 0, count: columns.count)
        var classCounts = [Int64](repeating: 0, count: label?.classNames?.count ?? 0)
        let width = builder.columns.count
        let features = layout.features
        let spill = try FileReader(path: builder.spillPath)
        let raw = UnsafeMutablePointer<Float>.allocate(capacity: layout.rowsPerBlock * width)
        let block = UnsafeMutablePointer<Float>.allocate(capacity: layout.rowsPerBlock * (features + 1))
        defer { raw.deallocate(); block.deallocate() }
        let histograms = columns.indices.map { c in Histogram(edges: edges[c].count > 1 ? edges[c] : nil, counts: []) }
        let kinds = columns.map(\.kind)
        // Flattened per-column plans for the hot loop: role, feature index, level remap, bin edges
        // and bin counts, all behind raw pointers.
        let labelColumn = builder.labelIndex ?? -1
        let labelIsClass = label?.task == .classification
        let labelIsText = builder.labelIndex.map { columns[$0].kind == .categorical } ?? false
        let role = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, width))  // 0 numeric, 1 categorical, 2 label
        let featureIndex = UnsafeMutablePointer<Int>.allocate(capacity: max(1, width))
        let remapOffset = UnsafeMutablePointer<Int>.allocate(capacity: max(1, width))
        let edgeOffset = UnsafeMutablePointer<Int>.allocate(capacity: max(1, width))
        let edgeCount = UnsafeMutablePointer<Int>.allocate(capacity: max(1, width))
        let binOffset = UnsafeMutablePointer<Int>.allocate(capacity: max(1, width))
        var flatRemap: [Int32] = []
        var flatEdges: [Double] = []
        var totalBins = 0
        for c in 0..<width {
            role[c] = c == labelColumn ? 2 : (kinds[c] == .numeric ? 0 : 1)
            featureIndex[c] = featureOf[c]
            remapOffset[c] = flatRemap.count
            flatRemap += remap[c]
            edgeOffset[c] = flatEdges.count
            let e = histograms[c].edges ?? []
            edgeCount[c] = e.count
            flatEdges += e
            binOffset[c] = totalBins
            totalBins += histogramCounts[c].count
        }
        let bins = UnsafeMutablePointer<Int64>.allocate(capacity: max(1, totalBins))
        bins.initialize(repeating: 0, count: max(1, totalBins))
        let missingCategorical = UnsafeMutablePointer<Int64>.allocate(capacity: max(1, width))
        missingCategorical.initialize(repeating: 0, count: max(1, width))
        defer {
            role.deallocate(); featureIndex.deallocate(); remapOffset.deallocate(); edgeOffset.deallocate()
            edgeCount.deallocate(); binOffset.deallocate(); bins.deallocate(); missingCategorical.deallocate()
        }
        try flatRemap.withUnsafeBufferPointer { remapBuffer in
            try flatEdges.withUnsafeBufferPointer { edgeBuffer in
                let remapBase = remapBuffer.baseAddress ?? UnsafePointer(bitPattern: 8)!
                let edgeBase = edgeBuffer.baseAddress ?? UnsafePointer(bitPattern: 8)!
                // Branch-free bin search (random data defeats branch prediction): the bin is the
                // number of inner edges at or below the value, matching Histogram.bin(of:).
                @inline(__always) func bin(_ c: Int, _ d: Double) -> Int {
                    let n = edgeCount[c]
                    let e = edgeBase + edgeOffset[c]
                    var index = 0
                    var k = 1
                    while k < n - 1 {
                        index &+= d >= e[k] ? 1 : 0
                        k += 1
                    }
                    return index
                }
                for b in 0..<layout.blockCount {
                    let n = layout.rowsInBlock(b)
                    try spill.readExactly(
                        into: raw, count: n * width * 4,
                        offset: Int64(b) * Int64(layout.rowsPerBlock * width * 4))
                    block.update(repeating: 0, count: n * features)
                    let labels = block + n * features
                    for r in 0..<n {
                        let source = raw + r * width
                        let target = block + r * features
                        labels[r] = .nan
                        for c in 0..<width {
                            let v = source[c]
                            switch role[c] {
                            case 0:
                                target[featureIndex[c]] = v
                                if v.isFinite { bins[binOffset[c] + bin(c, Double(v))] += 1 }
                            case 1:
                                if v.isNaN {
                                    missingCategorical[c] += 1
                                } else {
                                    let index = Int(remapBase[remapOffset[c] + Int(v)])
                                    target[featureIndex[c] + index] = 1
                                    bins[binOffset[c] + index] += 1
                                }
                            default:
                                var stored = v
                                if labelIsClass {
                                    let index: Int
                                    if labelIsText {
                                        index = Int(remapBase[remapOffset[c] + Int(v)])
                                        bins[binOffset[c] + index] += 1
                                    } else {
                                        var k = 0
                                        while k < classValues.count - 1, classValues[k] != v { k += 1 }
                                        index = k
                                    }
                                    classCounts[index] += 1
                                    stored = Float(index)
                                }
                                if !labelIsText, v.isFinite { bins[binOffset[c] + bin(c, Double(v))] += 1 }
                                labels[r] = stored
                            }
                        }
                    }
                    let bytes = UnsafeRawBufferPointer(start: block, count: n * (features + 1) * 4)
                    hasher.update(bufferPointer: bytes)
                    try writer.write(bytes.baseAddress!, count: bytes.count)
                }
            }
        }
        for c in 0..<width {
            for k in 0..<histogramCounts[c].count { histogramCounts[c][k] = bins[binOffset[c] + k] }
            categoricalMissing[c] = missingCategorical[c]
        }
        try writer.finish()
        try? FileManager.default.removeItem(atPath: builder.spillPath)
        let digest = hasher.finalize()
        // Statistics.
        var columnStats: [ColumnStatistics] = []
        for (c, column) in columns.enumerated() {
            if column.kind == .numeric {
                let m = builder.moments(c)
                let has = m.count > 0
                columnStats.append(
                    ColumnStatistics(
                        name: column.name, kind: .numeric, count: Int64(rows) - builder.missing(c),
                        missing: builder.missing(c), min: has ? builder.minimum(c) : nil,
                        max: has ? builder.maximum(c) : nil,
                        mean: has ? m.mean : nil, std: has ? m.std : nil,
                        quantiles: has
                            ? DatasetStatistics.quantileLevels.map {
                                DatasetStatistics.quantile(sorted: sortedSamples[c], $0)
                            } : nil,
                        histogram: Histogram(edges: histograms[c].edges, counts: histogramCounts[c])))
            } else {
                let missing = c == builder.labelIndex ? 0 : categoricalMissing[c]
                columnStats.append(
                    ColumnStatistics(
                        name: column.name, kind: .categorical, count: Int64(rows) - missing, missing: missing,
                        histogram: Histogram(levels: sortedLevels[c], counts: histogramCounts[c])))
            }
        }
        let statistics = DatasetStatistics(
            rows: Int64(rows), columns: columnStats, classCounts: label?.task == .classification ? classCounts : nil,
            reservoirRows: builder.reservoir.count / max(1, width), duplicateRows: builder.duplicateRows)
        let warnings = QualityReport.warnings(
            schema: schema, statistics: statistics, thresholds: options.thresholds,
            firstDuplicateRow: builder.firstDuplicateRow)
        return Encoded(digest: digest, schema: schema, statistics: statistics, warnings: warnings)
    }

    private func labelSchema(sortedLevels: [[String]]) throws -> LabelSchema? {
        guard let l = builder.labelIndex else { return nil }
        let column = builder.columns[l]
        if column.kind == .categorical {
            if options.task == .regression {
                throw DatasetError.invalidRequest(
                    "\(file): --task regression needs a numeric label, but column \"\(column.name)\" holds text "
                        + "(e.g. \"\(sortedLevels[l].first ?? "")\")")
            }
            return LabelSchema(column: column.name, task: .classification, classNames: sortedLevels[l])
        }
        let few = builder.labelValues.count <= RawTableBuilder.maxNumericClasses
        let looksLikeClasses = builder.labelAllIntegers && few
        let task = options.task ?? (looksLikeClasses ? .classification : .regression)
        if task == .regression { return LabelSchema(column: column.name, task: .regression, classNames: nil) }
        guard looksLikeClasses else {
            throw DatasetError.invalidRequest(
                "\(file): --task classification needs integer class labels (at most "
                    + "\(RawTableBuilder.maxNumericClasses) distinct), but column \"\(column.name)\" "
                    + (builder.labelAllIntegers ? "has more distinct values" : "has non-integer values"))
        }
        let names = builder.labelValues.sorted().map { String(Int64($0)) }
        return LabelSchema(column: column.name, task: .classification, classNames: names)
    }
}
