import Foundation
import Testing
import TrainyardTestSupport

/// A private TRAINYARD_HOME with generated data sets and job files, for training tests.
struct TrainingFixture {
    let home: TemporaryDirectory

    init(_ label: String) throws {
        home = try TemporaryDirectory(label)
    }

    /// `trainyard data generate …`; fails the test if it does not succeed.
    func generate(
        _ name: String, kind: String = "classification", rows: Int, features: Int, classes: Int = 2,
        seed: Int = 1, separation: Double = 1.5
    ) throws {
        let result = try runTrainyard(
            [
                "data", "generate", "--kind", kind, "--rows", "\(rows)", "--features", "\(features)", "--classes",
                "\(classes)",
                "--seed", "\(seed)", "--separation", "\(separation)", "--name", name,
            ], home: home)
        try #require(result.status == 0, "data generate failed: \(result.stderr)")
    }

    /// Writes a job file and returns its path.
    func job(_ yaml: String, name: String = "job.yaml") throws -> String {
        let url = home.file(name)
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// The JSON object printed by `train --json`.
    func train(
        _ job: String, workers: Int, extra: [String] = [], environment: [String: String] = [:],
        timeout: Double = 240
    ) throws -> [String: Any] {
        let result = try runTrainyard(
            ["train", job, "--workers", "\(workers)", "--json"] + extra,
            home: home, environment: environment, timeout: timeout)
        try #require(result.status == 0, "train failed (\(result.status)): \(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    func remove() { home.remove() }
}

/// Kills `train` and the worker processes it started (SIGKILL), for cleanup whether a test
/// passed or failed: a launcher killed -9 cannot stop its workers itself.
func stopWithWorkers(_ train: ChildProcess) {
    if train.isRunning {
        for worker in childProcesses(of: train.pid) { kill(worker, SIGKILL) }
    }
    train.stop()
}

/// Processes whose parent is `pid` (from /proc), for orphan checks.
func childProcesses(of pid: Int32) -> [Int32] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    return entries.compactMap { Int32($0) }.filter { child in
        guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 2 && Int32(fields[1]) == pid
    }
}

/// True while a process with this pid exists and is not a zombie.
func processAlive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return false }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    return fields.first != "Z"
}
