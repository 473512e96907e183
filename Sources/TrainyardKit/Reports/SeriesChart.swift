/// A small terminal plot of a metric series: columns of Unicode block characters, eighth-row
/// resolution, with the value range labelled on the left.
package struct SeriesChart {
    /// Columns of the plot area.
    package var width = 60
    /// Rows of the plot area.
    package var height = 8

    package init(width: Int = 60, height: Int = 8) {
        self.width = width
        self.height = height
    }

    private static let eighths: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// The rendered chart, or nil when no value is finite. Each column shows the mean of its
    /// bucket of consecutive points (the series is downsampled to `width` columns).
    package func render(_ values: [Double]) -> String? {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return nil }
        let columns = Self.downsample(values, to: width)
        let span = high - low
        let levels = height * 8
        let filled: [Int?] = columns.map { value in
            guard let value, value.isFinite else { return nil }
            if span == 0 { return levels / 2 }
            return max(1, Int(((value - low) / span * Double(levels - 1)).rounded()) + 1)
        }
        let topLabel = TextFormat.number(high)
        let bottomLabel = TextFormat.number(low)
        let labelWidth = max(topLabel.count, bottomLabel.count)
        var lines: [String] = []
        for row in (0..<height).reversed() {
            var line = ""
            for level in filled {
                guard let level else {
                    line.append(row == 0 ? "·" : " ")
                    continue
                }
                let inRow = min(8, max(0, level - row * 8))
                line.append(Self.eighths[inRow])
            }
            let label = row == height - 1 ? topLabel : row == 0 ? bottomLabel : ""
            lines.append(String(repeating: " ", count: labelWidth - label.count) + label + " │" + line)
        }
        return lines.joined(separator: "\n")
    }

    /// Means of `count` nearly equal consecutive buckets (NaN/infinite values are skipped; a
    /// bucket with none finite is nil). Fewer values than `count` are returned as they are.
    package static func downsample(_ values: [Double], to count: Int) -> [Double?] {
        guard values.count > count, count > 0 else { return values.map { $0.isFinite ? $0 : nil } }
        return (0..<count).map { bucket in
            let start = bucket * values.count / count
            let end = (bucket + 1) * values.count / count
            let finite = values[start..<end].filter(\.isFinite)
            return finite.isEmpty ? nil : finite.reduce(0, +) / Double(finite.count)
        }
    }
}
