import ArgumentParser
import Foundation
import TrackingStore
import TrainyardKit

/// `trainyard runs metrics RUN KEY`: a metric series with a small terminal plot.
struct RunsMetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Print a run's metric series (step, value, time) with a terminal plot.")

    @Argument(help: ArgumentHelp("Run id, unique id prefix, or unique run name.", valueName: "run"))
    var runReference: String

    @Argument(help: "Metric key, e.g. val_accuracy.")
    var key: String

    @Option(help: "Print only the last N points of the table (the plot always shows the whole series).")
    var tail: Int?

    @Flag(help: "Do not draw the plot.")
    var noPlot = false

    @OptionGroup var output: OutputOptions

    struct Series: Encodable {
        struct Point: Encodable {
            let step: Int
            let value: Double
            let timestamp: Date
        }

        let run_id: String
        let key: String
        let count: Int
        let last: Double?
        let min: Double?
        let max: Double?
        let points: [Point]
    }

    func validate() throws {
        if let tail, tail < 0 { throw ValidationError("--tail must be at least 0, got \(tail)") }
    }

    func run() throws {
        let store = try TrackingAccess.open(.fromEnvironment())
        let (runID, points) = try TrackingAccess.mapErrors { () -> (String, [MetricPoint]) in
            let id = try store.resolveRunID(runReference)
            return (id, try store.metricSeries(runID: id, key: key))
        }
        let finite = points.map(\.value).filter { !$0.isNaN }
        let shown = tail.map { Array(points.suffix($0)) } ?? points
        if output.json {
            try JSONOutput.print(
                Series(
                    run_id: runID, key: key, count: points.count, last: points.last?.value, min: finite.min(),
                    max: finite.max(),
                    points: shown.map { Series.Point(step: $0.step, value: $0.value, timestamp: $0.timestamp) }))
            return
        }
        print(
            "\(key) of run \(runID): \(points.count) points, last \(TextFormat.number(points.last?.value)), "
                + "min \(TextFormat.number(finite.min())), max \(TextFormat.number(finite.max()))")
        if !noPlot, let chart = SeriesChart().render(points.map(\.value)) {
            print(chart)
            let first = points.first?.step ?? 0
            let last = points.last?.step ?? 0
            print("step \(first) … \(last)")
        }
        print("")
        var table = TextTable(["STEP", "VALUE", "TIME"])
        for point in shown {
            table.add([String(point.step), TextFormat.number(point.value), TextFormat.time(point.timestamp)])
        }
        print(table.render())
    }
}
