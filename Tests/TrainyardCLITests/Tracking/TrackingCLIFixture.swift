import Foundation
import Testing
import TrainyardTestSupport

/// A private `TRAINYARD_HOME` filled by `TrackingBench seed`: experiment `digits` with runs
/// `baseline` (sgd, val_accuracy 0.95), `adam-1` (adam, 0.97) and `adam-2` (adam, 0.80, FAILED),
/// model `digits-clf` v1 (from baseline) and v2 (from adam-1, alias `staging`), and one old
/// unreferenced file `artifacts/orphan/junk.bin`.
struct TrackingCLIFixture {
    let home: TemporaryDirectory
    /// Run name → run id.
    let runs: [String: String]
    /// The final_params_sha256 every seeded run carries.
    let sha: String

    init() throws {
        home = try TemporaryDirectory("tracking-cli")
        let result = try runProcess(
            try BuiltProducts.executable("TrackingBench"), ["seed", "--db", home.file("trainyard.db").path])
        guard result.status == 0,
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
            let runs = object["runs"] as? [String: String], let sha = object["sha"] as? String
        else {
            throw FixtureError("TrackingBench seed failed (\(result.status)): \(result.stdout) \(result.stderr)")
        }
        self.runs = runs
        self.sha = sha
    }

    /// Runs `trainyard ARGS` in this home.
    func trainyard(_ arguments: [String]) throws -> ProcessResult {
        try runTrainyard(arguments, home: home)
    }

    /// Runs `trainyard ARGS --json`, expects exit 0, and parses standard output.
    func json(_ arguments: [String]) throws -> Any {
        let result = try trainyard(arguments + ["--json"])
        guard result.status == 0 else {
            throw FixtureError(
                "trainyard \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    func exists(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: home.file(relative).path)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
