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

    func validate() throws {
        if let tail, tail < 0 { throw ValidationError("--tail must be at least 0, got \(tail)") }
    }

    func run() throws {
        let store = try TrackingAccess.open(.fromEnvironment())
        let (runID, points) = try TrackingAccess.mapErrors { () -> (String, [MetricPoint]) in
            let id = try store.resolveRunID(runReference)
            return (id, try store.metricSeries(runID: id, key: key))
        }
        let report = MetricSeriesReport(runID: runID, key: key, series: points, tail: tail)
        if output.json { return try JSONOutput.print(report) }
        print(report.text(plot: !noPlot))
    }
}
