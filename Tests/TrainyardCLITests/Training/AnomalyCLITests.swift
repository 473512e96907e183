import Foundation
import Testing
import TrainyardTestSupport

/// A diverging run stops as FAILED with the reason, and its last good checkpoint stays.
@Suite struct AnomalyCLITests {
    @Test(arguments: [("sgd, lr: 5.0", "exploded"), ("sgd, lr: 1.0e30", "computed non-finite values")])
    func aDivergingRunFailsWithTheReasonAndKeepsTheLastGoodCheckpoint(optimizer: String, reason: String) throws {
        let fixture = try TrainingFixture("anomaly")
        defer { fixture.remove() }
        try fixture.generate("reg", kind: "regression", rows: 1000, features: 5)
        let job = try fixture.job(
            """
            data: {dataset: reg, label: label}
            model: {kind: linear}
            optimizer: {kind: \(optimizer)}
            training: {epochs: 20, batch_size: 100}
            checkpoint: {every_steps: 1}
            """)
        let result = try runTrainyard(["train", job, "--workers", "1", "--json"], home: fixture.home)
        #expect(result.status == 1, "\(result.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(summary["status"] as? String == "FAILED")
        let failure = try #require(summary["failure"] as? String)
        #expect(failure.contains(reason), "\(failure)")
        let runID = try #require(summary["run_id"] as? String)
        let shown = try runTrainyard(["runs", "show", runID, "--json"], home: fixture.home)
        let run = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        #expect(run["status"] as? String == "FAILED")

        // Every kept checkpoint holds finite parameters (the broken state was not saved).
        let directory = fixture.home.file("artifacts/\(runID)/checkpoints")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0.hasSuffix(".safetensors")
        }
        try #require(!files.isEmpty, "no checkpoint was kept: \(result.stderr)")
        let check = try runProcess(
            URL(fileURLWithPath: "/usr/bin/env"),
            [
                "python3", "-c",
                """
                import sys, numpy as np
                from safetensors.numpy import load_file
                print(all(np.isfinite(v).all() for f in sys.argv[1:] for v in load_file(f).values()))
                """,
            ] + files.map { directory.appendingPathComponent($0).path })
        #expect(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "True", "\(check.stderr)")
        #expect(result.stderr.contains("last good checkpoint step-"))
    }
}
