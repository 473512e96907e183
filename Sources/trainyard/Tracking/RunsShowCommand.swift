import ArgumentParser
import Foundation
import TrackingStore
import TrainyardKit

/// `trainyard runs show RUN`: everything about one run.
struct RunsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a run: params, final and best metrics, artifacts, datasets, lineage.")

    @Argument(help: ArgumentHelp("Run id, unique id prefix, or unique run name.", valueName: "run"))
    var runReference: String

    @OptionGroup var output: OutputOptions

    func run() throws {
        let store = try TrackingAccess.open(.fromEnvironment())
        let record = try TrackingAccess.mapErrors { try store.run(runReference) }
        if output.json {
            try JSONOutput.print(TrackingJSON.RunDetail(record))
            return
        }
        print(Self.render(record))
    }

    static func render(_ run: RunRecord) -> String {
        var lines: [String] = []
        lines.append("run \(run.id)  \(run.experiment)/\(run.name ?? "-")")
        let attributes: [(String, String)] = [
            ("status", run.status.rawValue),
            ("started", TextFormat.time(run.startTime)),
            ("ended", TextFormat.time(run.endTime)),
            ("duration", TextFormat.duration(from: run.startTime, to: run.endTime)),
            ("host", run.host ?? "-"),
            ("code revision", run.codeRevision ?? "-"),
            ("parent run", run.parentRunID ?? "-"),
            ("final params sha256", run.finalParamsSHA256 ?? "-"),
        ]
        for (name, value) in attributes {
            lines.append("  " + name.padding(toLength: 20, withPad: " ", startingAt: 0) + value)
        }

        lines.append("")
        lines.append("params")
        if run.params.isEmpty { lines.append("  (none)") }
        for (key, value) in run.params.sorted(by: { $0.key < $1.key }) { lines.append("  \(key) = \(value)") }

        lines.append("")
        lines.append("metrics")
        if run.metrics.isEmpty {
            lines.append("  (none)")
        } else {
            var table = TextTable(["KEY", "LAST", "STEP", "MIN", "MAX", "POINTS"])
            for metric in run.metrics {
                table.add([
                    metric.key, TextFormat.number(metric.last), String(metric.lastStep),
                    TextFormat.number(metric.min), TextFormat.number(metric.max), String(metric.count),
                ])
            }
            lines += table.render().split(separator: "\n").map { "  " + $0 }
        }

        if !run.tags.isEmpty {
            lines.append("")
            lines.append("tags")
            for (key, value) in run.tags.sorted(by: { $0.key < $1.key }) { lines.append("  \(key) = \(value)") }
        }

        lines.append("")
        lines.append("artifacts")
        if run.artifacts.isEmpty {
            lines.append("  (none)")
        } else {
            var table = TextTable(["KIND", "PATH", "SIZE", "SHA256"])
            for artifact in run.artifacts {
                table.add([
                    artifact.kind, artifact.path, TextFormat.bytes(artifact.size), String(artifact.digest.prefix(12)),
                ])
            }
            lines += table.render().split(separator: "\n").map { "  " + $0 }
        }

        lines.append("")
        lines.append("datasets")
        if run.datasets.isEmpty { lines.append("  (none)") }
        for dataset in run.datasets {
            let label =
                dataset.versions.isEmpty ? String(dataset.digest.prefix(12)) : dataset.versions.joined(separator: ", ")
            lines.append("  \(dataset.role): \(label)")
        }

        if !run.modelVersions.isEmpty || !run.childRunIDs.isEmpty {
            lines.append("")
            lines.append("lineage")
            if !run.modelVersions.isEmpty {
                lines.append("  model versions: " + run.modelVersions.joined(separator: ", "))
            }
            if !run.childRunIDs.isEmpty { lines.append("  trials: " + run.childRunIDs.joined(separator: ", ")) }
        }
        return lines.joined(separator: "\n")
    }
}
