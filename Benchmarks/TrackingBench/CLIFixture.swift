import Foundation
import TrackingStore

/// The small, fixed tracking state the CLI tests run commands against (no other command creates
/// runs yet, and the tests run the `trainyard` binary as a separate process).
enum CLIFixture {
    /// Fills the database at `--db` (its directory is `TRAINYARD_HOME`) and prints the created
    /// run ids as JSON: `{"runs": {"baseline": ID, "adam-1": ID, "adam-2": ID}, "sha": ...}`.
    static func seed(_ options: BenchOptions) throws {
        let db = URL(fileURLWithPath: try options.required("db"))
        let home = db.deletingLastPathComponent()
        let store = try TrackingStore(path: db)
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        let dataset = DatasetVersionRecord(
            name: "digits", digest: String(repeating: "ab", count: 32), format: "csv", rows: 1797, features: 64,
            label: "label", task: "classification", sourcePath: "digits.csv",
            storePath: "datasets/" + String(repeating: "ab", count: 32), sizeBytes: 460_000,
            schemaJSON: "{}", statsJSON: "{}", createdAt: start)
        _ = try store.registerDatasetVersion(dataset)
        let specs: [(name: String, optimizer: String, lr: String, final: Double, status: RunStatus)] = [
            ("baseline", "sgd", "0.1", 0.95, .finished),
            ("adam-1", "adam", "0.01", 0.97, .finished),
            ("adam-2", "adam", "0.001", 0.80, .failed),
        ]
        var ids: [String: String] = [:]
        let sha = String(repeating: "5e", count: 32)
        for (index, spec) in specs.enumerated() {
            let begin = start.addingTimeInterval(Double(index) * 100)
            let id = try store.startRun(
                experiment: "digits", name: spec.name,
                configJSON: #"{"model":{"kind":"softmax"},"optimizer":{"kind":"\#(spec.optimizer)","lr":\#(spec.lr)}}"#,
                codeRevision: "0123456789ab", host: "node-1", startTime: begin)
            try store.logParams(runID: id, ["optimizer": spec.optimizer, "lr": spec.lr, "epochs": "10"])
            var points: [MetricPoint] = []
            for step in 0..<10 {
                let progress = Double(step) / 9
                points.append(
                    MetricPoint(
                        runID: id, key: "val_accuracy", step: step, value: 0.5 + (spec.final - 0.5) * progress,
                        timestamp: begin.addingTimeInterval(Double(step))))
                points.append(
                    MetricPoint(
                        runID: id, key: "val_loss", step: step, value: 2 - progress,
                        timestamp: begin.addingTimeInterval(Double(step))))
            }
            try store.logMetrics(points)
            try store.linkDataset(runID: id, digest: dataset.digest, role: "train")
            let artifact = "artifacts/\(id)/checkpoint.bin"
            try write(home, artifact, bytes: 1000 + index)
            try store.logArtifact(runID: id, kind: "checkpoint", path: artifact, digest: sha, size: Int64(1000 + index))
            try store.setTag(runID: id, key: "team", value: "vision")
            try store.finishRun(id, status: spec.status, endTime: begin.addingTimeInterval(60), finalParamsSHA256: sha)
            ids[spec.name] = id
        }
        for (version, source) in [(1, "baseline"), (2, "adam-1")] {
            let package = "models/digits-clf/\(version)"
            try write(home, package + "/manifest.json", bytes: 200)
            try write(home, package + "/weights.safetensors", bytes: 4000)
            _ = try store.registerModelVersion(
                name: "digits-clf", sourceRunID: ids[source], packagePath: package, packageDigest: sha, createdAt: start
            )
        }
        try store.setAlias(model: "digits-clf", alias: "staging", version: 2, actor: "fixture", at: start)
        try write(home, "artifacts/orphan/junk.bin", bytes: 5000)
        try FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(-7200)],
            ofItemAtPath: home.appendingPathComponent("artifacts/orphan/junk.bin").path)
        let data = try JSONSerialization.data(withJSONObject: ["runs": ids, "sha": sha], options: [.sortedKeys])
        emit(String(decoding: data, as: UTF8.self))
    }

    private static func write(_ home: URL, _ relative: String, bytes: Int) throws {
        let url = home.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(repeating: 1, count: bytes).write(to: url, options: .atomic)
    }
}
