import Foundation
import TrackingStore

extension TrackingJSON.RunDetail {
    /// What `runs show` prints: attributes, params, metrics, tags, artifacts, datasets, lineage.
    package var text: String {
        var lines: [String] = []
        lines.append("run \(id)  \(experiment)/\(name ?? "-")")
        let attributes: [(String, String)] = [
            ("status", status),
            ("started", TextFormat.time(start_time)),
            ("ended", TextFormat.time(end_time)),
            ("duration", TextFormat.duration(from: start_time, to: end_time)),
            ("host", host ?? "-"),
            ("code revision", code_revision ?? "-"),
            ("parent run", parent_run_id ?? "-"),
            ("final params sha256", final_params_sha256 ?? "-"),
        ]
        for (name, value) in attributes {
            lines.append("  " + name.padding(toLength: 20, withPad: " ", startingAt: 0) + value)
        }

        lines += ["", "params"]
        if params.isEmpty { lines.append("  (none)") }
        for (key, value) in params.sorted(by: { $0.key < $1.key }) { lines.append("  \(key) = \(value)") }

        lines += ["", "metrics"]
        if metric_summaries.isEmpty {
            lines.append("  (none)")
        } else {
            var table = TextTable(["KEY", "LAST", "STEP", "MIN", "MAX", "POINTS"])
            for metric in metric_summaries {
                table.add([
                    metric.key, TextFormat.number(metric.last), String(metric.last_step),
                    TextFormat.number(metric.min), TextFormat.number(metric.max), String(metric.count),
                ])
            }
            lines += table.render(indentedBy: "  ")
        }

        if !tags.isEmpty {
            lines += ["", "tags"]
            for (key, value) in tags.sorted(by: { $0.key < $1.key }) { lines.append("  \(key) = \(value)") }
        }

        lines += ["", "artifacts"]
        if artifacts.isEmpty {
            lines.append("  (none)")
        } else {
            var table = TextTable(["KIND", "PATH", "SIZE", "SHA256"])
            for artifact in artifacts {
                table.add([
                    artifact.kind, artifact.path, TextFormat.bytes(artifact.size), String(artifact.digest.prefix(12)),
                ])
            }
            lines += table.render(indentedBy: "  ")
        }

        lines += ["", "datasets"]
        if datasets.isEmpty { lines.append("  (none)") }
        for dataset in datasets {
            let label =
                dataset.versions.isEmpty ? String(dataset.digest.prefix(12)) : dataset.versions.joined(separator: ", ")
            lines.append("  \(dataset.role): \(label)")
        }

        if !model_versions.isEmpty || !child_run_ids.isEmpty {
            lines += ["", "lineage"]
            if !model_versions.isEmpty { lines.append("  model versions: " + model_versions.joined(separator: ", ")) }
            if !child_run_ids.isEmpty { lines.append("  trials: " + child_run_ids.joined(separator: ", ")) }
        }
        return lines.joined(separator: "\n")
    }
}
