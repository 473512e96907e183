import Foundation
import TrackingStore

/// What `runs metrics` reports (its `--json` shape): a run's series of one metric, summarised,
/// with the points shown (all, or the last N).
package struct MetricSeriesReport: Encodable {
    /// One logged value.
    package struct Point: Encodable {
        package let step: Int
        package let value: Double
        package let timestamp: Date
    }

    package let run_id: String
    package let key: String
    package let count: Int
    package let last: Double?
    package let min: Double?
    package let max: Double?
    package let points: [Point]
    /// The whole series, for the plot (not part of the JSON).
    private let series: [MetricPoint]

    private enum CodingKeys: String, CodingKey {
        case run_id, key, count, last, min, max, points
    }

    /// The series of `key` in run `runID`, showing only its last `tail` points when given.
    package init(runID: String, key: String, series: [MetricPoint], tail: Int?) {
        let finite = series.map(\.value).filter { !$0.isNaN }
        run_id = runID
        self.key = key
        count = series.count
        last = series.last?.value
        min = finite.min()
        max = finite.max()
        points = (tail.map { Array(series.suffix($0)) } ?? series).map {
            Point(step: $0.step, value: $0.value, timestamp: $0.timestamp)
        }
        self.series = series
    }

    /// The summary line, the plot of the whole series (unless `plot` is false) and the table of points.
    package func text(plot: Bool) -> String {
        var lines = [
            "\(key) of run \(run_id): \(count) points, last \(TextFormat.number(last)), "
                + "min \(TextFormat.number(min)), max \(TextFormat.number(max))"
        ]
        if plot, let chart = SeriesChart().render(series.map(\.value)) {
            lines.append(chart)
            lines.append("step \(series.first?.step ?? 0) … \(series.last?.step ?? 0)")
        }
        lines.append("")
        var table = TextTable(["STEP", "VALUE", "TIME"])
        for point in points {
            table.add([String(point.step), TextFormat.number(point.value), TextFormat.time(point.timestamp)])
        }
        lines.append(table.render())
        return lines.joined(separator: "\n")
    }
}
