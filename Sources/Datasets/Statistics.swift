import Foundation

/// Counts of values in bins. Numeric columns: `edges` (n + 1 ascending bounds, the outer bins
/// open-ended: values below `edges[0]` count in bin 0, above the last edge in the last bin).
/// Categorical columns: one bin per level (`levels`), no edges.
package struct Histogram: Sendable, Codable, Equatable {
    package var edges: [Double]?
    package var levels: [String]?
    package var counts: [Int64]

    package init(edges: [Double]? = nil, levels: [String]? = nil, counts: [Int64]) {
        self.edges = edges
        self.levels = levels
        self.counts = counts
    }

    /// The bin of `value` under the open-ended rule. Complexity O(log bins).
    package func bin(of value: Double) -> Int {
        guard let edges, edges.count > 1 else { return 0 }
        var lo = 0
        var hi = edges.count - 2
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if value >= edges[mid] { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }
}

/// Statistics of one source column, the drift reference for validation and serving.
package struct ColumnStatistics: Sendable, Codable, Equatable {
    package var name: String
    package var kind: ColumnKind
    /// Non-missing values.
    package var count: Int64
    /// Missing values (empty, NA, null, ?).
    package var missing: Int64
    /// Numeric only: finite minimum, maximum, mean and population standard deviation.
    package var min: Double?
    package var max: Double?
    package var mean: Double?
    package var std: Double?
    /// Numeric only: values at ``DatasetStatistics/quantileLevels``, from a deterministic reservoir
    /// sample (exact when the dataset has at most `reservoirRows` rows).
    package var quantiles: [Double]?
    /// The drift reference: decile bins for numeric columns, level counts for categorical ones.
    package var histogram: Histogram
}

/// `stats.json`: per-column statistics plus the label's class counts.
package struct DatasetStatistics: Sendable, Codable, Equatable {
    /// Quantile levels used by every numeric column.
    package static let quantileLevels: [Double] = [0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1]

    package var rows: Int64
    package var columns: [ColumnStatistics]
    /// Classification: rows per class, indexed like `LabelSchema.classNames`.
    package var classCounts: [Int64]?
    /// Rows in the reservoir the quantiles come from.
    package var reservoirRows: Int
    /// Rows that repeat an earlier row.
    package var duplicateRows: Int64

    package init(
        rows: Int64, columns: [ColumnStatistics], classCounts: [Int64]?, reservoirRows: Int,
        duplicateRows: Int64
    ) {
        self.rows = rows
        self.columns = columns
        self.classCounts = classCounts
        self.reservoirRows = reservoirRows
        self.duplicateRows = duplicateRows
    }

    /// The statistics of column `name`.
    package func column(named name: String) -> ColumnStatistics? { columns.first { $0.name == name } }

    /// Linear-interpolated quantile (numpy's default "linear" method) of sorted finite values.
    package static func quantile(sorted values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let position = q * Double(values.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = Swift.min(lower + 1, values.count - 1)
        let fraction = position - Double(lower)
        return values[lower] + (values[upper] - values[lower]) * fraction
    }

    /// Decile bin edges from sorted values, bounded by the true min and max, duplicates removed.
    package static func decileEdges(sorted values: [Double], min: Double, max: Double) -> [Double] {
        var edges = [min]
        for k in 1..<10 {
            let e = quantile(sorted: values, Double(k) / 10)
            if e > edges[edges.count - 1], e < max { edges.append(e) }
        }
        if max > edges[edges.count - 1] { edges.append(max) } else if edges.count == 1 { edges.append(max) }
        return edges
    }
}
