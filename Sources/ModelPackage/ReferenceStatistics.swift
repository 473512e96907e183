import Datasets
import GradientCore

/// The training-data reference of one raw input column, for drift detection at serving time.
///
/// Numeric columns: moments, range, PSI bins and a KS sample over the raw (untransformed)
/// values. Categorical columns: a count per level and an `unseen` bucket, 0 at training time,
/// where levels the model never saw are counted in a serving window.
package struct ColumnReference: Sendable, Codable, Equatable {
    package var name: String
    package var kind: ColumnKind
    /// Non-missing values.
    package var count: Int64
    /// Missing values (NaN for numeric columns, an empty or missing marker for categorical ones).
    package var missing: Int64
    /// Numeric only, over the finite values: mean, population standard deviation, minimum, maximum.
    package var mean: Double?
    package var std: Double?
    package var min: Double?
    package var max: Double?
    /// Numeric: up to 10 bins between the training deciles (outer bins open-ended) with the
    /// training count of each. Categorical: the levels and the count of each.
    package var histogram: Histogram
    /// Categorical only: values of a level outside `histogram.levels` (0 for the reference).
    package var unseen: Int64?
    /// Numeric only: up to ``ReferenceStatistics/sampleLimit`` finite values, sorted: all of them,
    /// or evenly spaced order statistics when there are more. The KS reference.
    package var sample: [Double]?

    /// The reference bin counts PSI compares against: the histogram counts, then for
    /// categorical columns the unseen bucket.
    package var referenceCounts: [Int64] {
        kind == .categorical ? histogram.counts + [unseen ?? 0] : histogram.counts
    }

    /// Bin counts of `values` in the bins of ``referenceCounts``. Numeric columns: raw values,
    /// NaN skipped as missing. Categorical columns: level indices into `histogram.levels`, NaN
    /// skipped as missing, any other value counted as unseen. Complexity O(n log bins).
    package func binCounts(values: some Sequence<Double>) -> [Int64] {
        var counts = [Int64](repeating: 0, count: referenceCounts.count)
        let levels = histogram.levels?.count ?? 0
        for value in values where !value.isNaN {
            if kind == .numeric {
                counts[histogram.bin(of: value)] += 1
            } else if value >= 0, value < Double(levels), value == value.rounded(.towardZero) {
                counts[Int(value)] += 1
            } else {
                counts[levels] += 1
            }
        }
        return counts
    }
}

/// The training split's reference statistics per raw input column, stored in `model.json`.
package struct ReferenceStatistics: Sendable, Codable, Equatable {
    /// The most values kept per numeric column for the KS test.
    package static let sampleLimit = 1000

    /// Rows the statistics were computed from.
    package var rows: Int64
    /// One entry per input column, in the input schema's order.
    package var columns: [ColumnReference]

    package init(rows: Int64, columns: [ColumnReference]) {
        self.rows = rows
        self.columns = columns
    }

    /// The reference of column `name`.
    package func column(named name: String) -> ColumnReference? { columns.first { $0.name == name } }

    /// Computes the reference from the rows `rows` (the training split) of `version`, on the
    /// stored raw values: a numeric column's feature, a categorical column's hot level (all
    /// zeros = missing). Precondition: every index lies in `0..<version.rowCount`.
    /// Memory O(rows × numeric columns); complexity O(rows × features + rows log rows per numeric column).
    package static func compute(version: DatasetVersion, rows: [Int]) -> ReferenceStatistics {
        let input = InputSchema(schema: version.schema)
        let width = version.featureCount
        var numeric = [[Float]](repeating: [], count: input.columns.count)
        var levelCounts = input.columns.map {
            [Int64](repeating: 0, count: $0.kind == .categorical ? $0.featureCount : 0)
        }
        var missing = [Int64](repeating: 0, count: input.columns.count)
        let chunkRows = 4096
        var features = [Float](repeating: 0, count: chunkRows * width)
        var labels = [Float](repeating: 0, count: chunkRows)
        var start = 0
        while start < rows.count {
            let n = Swift.min(chunkRows, rows.count - start)
            features.withUnsafeMutableBufferPointer { fp in
                labels.withUnsafeMutableBufferPointer { lp in
                    version.gatherRows(rows[start..<(start + n)], features: fp.baseAddress!, labels: lp.baseAddress!)
                }
            }
            for (c, column) in input.columns.enumerated() {
                for r in 0..<n {
                    if column.kind == .numeric {
                        let value = features[r * width + column.firstFeature]
                        if value.isNaN { missing[c] += 1 } else { numeric[c].append(value) }
                    } else if let hot = column.hotLevel(in: features, rowStart: r * width) {
                        levelCounts[c][hot] += 1
                    } else {
                        missing[c] += 1
                    }
                }
            }
            start += n
        }
        let columns = input.columns.enumerated().map { c, column in
            column.kind == .numeric
                ? numericReference(column.name, values: numeric[c], missing: missing[c])
                : ColumnReference(
                    name: column.name, kind: .categorical, count: levelCounts[c].reduce(0, +),
                    missing: missing[c], histogram: Histogram(levels: column.levels, counts: levelCounts[c]),
                    unseen: 0)
        }
        return ReferenceStatistics(rows: Int64(rows.count), columns: columns)
    }

    /// Moments, decile bins and the KS sample of one numeric column's non-missing values.
    /// Complexity O(n): a radix sort of the finite values, then one walk of the sorted values.
    static func numericReference(_ name: String, values: [Float], missing: Int64) -> ColumnReference {
        let (finite, negativeInfinities, positiveInfinities) = sortedFinite(values)
        var reference = ColumnReference(
            name: name, kind: .numeric, count: Int64(values.count), missing: missing,
            histogram: Histogram(counts: [Int64(values.count)]))
        guard let lo = finite.first, let hi = finite.last else { return reference }
        let mean = finite.reduce(0, +) / Double(finite.count)
        let variance = finite.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(finite.count)
        reference.mean = mean
        reference.std = variance.squareRoot()
        reference.min = lo
        reference.max = hi
        let edges = DatasetStatistics.decileEdges(sorted: finite, min: lo, max: hi)
        // Bin counts by walking the sorted values (what `binCounts(values:)` gives, without a
        // binary search per value); -∞ falls in the first bin and +∞ in the last, as there.
        var counts = [Int64](repeating: 0, count: edges.count - 1)
        let lastBin = counts.count - 1
        var bin = 0
        for value in finite {
            while bin < lastBin && value >= edges[bin + 1] { bin += 1 }
            counts[bin] += 1
        }
        counts[0] += Int64(negativeInfinities)
        counts[lastBin] += Int64(positiveInfinities)
        reference.histogram = Histogram(edges: edges, counts: counts)
        if finite.count <= sampleLimit {
            reference.sample = finite
        } else {
            reference.sample = (0..<sampleLimit).map { finite[$0 * (finite.count - 1) / (sampleLimit - 1)] }
        }
        return reference
    }

    /// The finite values in ascending order (as Doubles), and how many were −∞ and +∞; NaN is
    /// skipped. An LSD radix sort (two 16-bit passes) on order-preserving keys of the Float bits:
    /// the same order as a comparison sort except that −0 comes before +0.
    static func sortedFinite(_ values: [Float]) -> (sorted: [Double], negativeInfinities: Int, positiveInfinities: Int)
    {
        var keys: [UInt32] = []
        keys.reserveCapacity(values.count)
        var negativeInfinities = 0, positiveInfinities = 0
        for value in values where !value.isNaN {
            if value == .infinity {
                positiveInfinities += 1
            } else if value == -.infinity {
                negativeInfinities += 1
            } else {
                keys.append(RadixSort.orderedBits(value))
            }
        }
        RadixSort.sort(&keys, digitShifts: [0, 16])
        let sorted = keys.map { Double(RadixSort.float(orderedBits: $0)) }
        return (sorted, negativeInfinities, positiveInfinities)
    }
}

extension ColumnReference {
    init(name: String, kind: ColumnKind, count: Int64, missing: Int64, histogram: Histogram, unseen: Int64? = nil) {
        self.init(
            name: name, kind: kind, count: count, missing: missing, mean: nil, std: nil, min: nil, max: nil,
            histogram: histogram, unseen: unseen, sample: nil)
    }
}
