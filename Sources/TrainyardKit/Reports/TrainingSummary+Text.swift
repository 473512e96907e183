import Foundation

extension TrainingSummary {
    /// What `train`, `coordinator` and `resume` print: the final metrics, the parameters'
    /// digest and how the run ended.
    package var text: String {
        var table = TextTable(["metric", "value"])
        for key in metrics.keys.sorted() { table.add([key, String(format: "%.6g", metrics[key]!)]) }
        var lines = [table.render()]
        if let digest = final_params_sha256 { lines.append("final_params_sha256 \(digest)") }
        lines.append("run \(run_id) \(status.lowercased())")
        return lines.joined(separator: "\n")
    }
}
