import Foundation
import Testing
import TrainyardTestSupport

/// A registered model (two versions, alias `staging` on the second) and a running
/// `trainyard serve` on a free port, for the serving tests.
struct ServeFixture {
    let training: TrainingFixture
    var home: TemporaryDirectory { training.home }

    init(_ label: String) throws {
        training = try TrainingFixture(label)
        try training.generate("demo", rows: 1200, features: 4, classes: 3, seed: 2)
        for seed in [3, 4] {
            let job = try training.job(
                """
                data: {dataset: demo, label: label, validation: 0.2, transforms: [standardize]}
                model: {kind: softmax}
                optimizer: {kind: sgd, lr: 0.1, momentum: 0.9}
                training: {epochs: 2, batch_size: 100, seed: \(seed)}
                register: {model: demo, alias: staging}
                """, name: "job\(seed).yaml")
            _ = try training.train(job, workers: 1)
        }
    }

    /// Starts `trainyard serve` and waits for the line naming the port.
    func serve(_ arguments: [String]) throws -> (process: ChildProcess, url: String) {
        let server = try ChildProcess(
            try BuiltProducts.executable("trainyard"), ["serve"] + arguments + ["--port", "0"],
            environment: ["TRAINYARD_HOME": home.path], currentDirectory: home.url)
        try #require(
            server.waitForOutput(timeout: 60) { _, err in err.contains("listening on http://") }, "\(server.stderr)")
        let line = try #require(server.stderr.split(separator: "\n").first { $0.contains("listening on http://") })
        let url = try #require(
            line.range(of: "http://[0-9.]+:[0-9]+", options: .regularExpression).map { String(line[$0]) })
        return (server, url)
    }

    /// Runs a Python script (written to the home) with `arguments`; returns its stdout.
    func python(_ script: String, _ arguments: [String], timeout: Double = 180) throws -> String {
        let url = home.file("script-\(UUID().uuidString.prefix(8)).py")
        try script.write(to: url, atomically: true, encoding: .utf8)
        let result = try runProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", url.path] + arguments, timeout: timeout)
        try #require(result.status == 0, "python failed (\(result.status)): \(result.stderr)\n\(result.stdout)")
        return result.stdout
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text)")
    }

    func remove() { training.remove() }
}
