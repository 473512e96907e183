import Foundation

/// Counts of values in bins. Numeric columns: `edges` (n + 1 ascending bounds, the outer bins
/// open-ended: values below `edges[0]` count in bin 0, above the last edge in the last bin).
/// Categorical columns: one bin per level (`levels`), no edges.
public struct Histogram: Sendable, Codable, Equatable {
    public var edges: [Double]?
    public var levels: [String]?
    public var counts: [Int64]

    public init(edges: [Double]? = nil, levels: [String]? = nil, counts: [Int64]) {
        self.edges = edges
        self.levels = levels
        self.counts = counts
    }

    /// The bin of `value` under the open-ended rule. Complexity O(log bins).
    public func bin(of value: Double) -> Int {
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
public struct ColumnStatistics: Sendable, Codable, Equatable {
    public var name: String
    public var kind: ColumnKind
    /// Non-missing values.
    public var count: Int64
    /// Missing values (empty, NA, null, ?).
    public var missing: Int64
    /// Numeric only: finite minimum, maximum, mean and population standard deviation.
    public var min: Double?
    public var max: Double?
    public var mean: Double?
    public var std: Double?
    /// Numeric only: values at ``DatasetStatistics/quantileLevels``, from a deterministic reservoir
    /// sample (exact when the dataset has at most `reservoirRows` rows).
    public var quantiles: [Double]?
    /// The drift reference: decile bins for numeric columns, level counts for categorical ones.
    public var histogram: Histogram
}

/// `stats.json`: per-column statistics plus the label's class counts.
public struct DatasetStatistics: Sendable, Codable, Equatable {
    /// Quantile levels used by every numeric column.
    public static let quantileLevels: [Double] = [0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1]

    public var rows: Int64
    public var columns: [ColumnStatistics]
    /// Classification: rows per class, indexed like `LabelSchema.classNames`.
    public var classCounts: [Int64]?
    /// Rows in the reservoir the quantiles come from.
    public var reservoirRows: Int
    /// Rows that repeat an earlier row.
    public var duplicateRows: Int64

    public init(rows: Int64, columns: [ColumnStatistics], classCounts: [Int64]?, reservoirRows: Int,
                duplicateRows: Int64) {
        self.rows = rows
        self.columns = columns
        self.classCounts = classCounts
        self.reservoirRows = reservoirRows
        self.duplicateRows = duplicateRows
    }

    /// The statistics of column `name`.
    public func column(named name: String) -> ColumnStatistics? { columns.first { $0.name == name } }

    /// Linear-interpolated quantile (numpy's default "linear" method) of sorted finite values.
    public static func quantile(sorted values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let position = q * Double(values.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = Swift.min(lower + 1, values.count - 1)
        let fraction = position - Double(lower)
        return values[lower] + (values[upper] - values[lower]) * fraction
    }

    /// Decile bin edges from sorted values, bounded by the true min and max, duplicates removed.
    public static func decileEdges(sorted values: [Double], min: Double, max: Double) -> [Double] {
        var edges = [min]
        for k in 1..<10 {
            let e = quantile(sorted: values, Double(k) / 10)
            if e > edges[edges.count - 1], e < max { edges.append(e) }
        }
        if max > edges[edges.count - 1] { edges.append(max) } else if edges.count == 1 { edges.append(max) }
        return edges
    }
}
