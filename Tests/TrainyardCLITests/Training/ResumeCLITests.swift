import Foundation
import Testing
import TrainyardTestSupport

/// kill -9 of the coordinator, then `trainyard resume`: the run ends with bitwise the parameters
/// of an uninterrupted run, with the same or another worker count.
@Suite(.serialized) struct ResumeCLITests {
    static let job = """
        data: {dataset: binary, label: label, validation: 0.25, transforms: [standardize]}
        model: {kind: logistic}
        optimizer: {kind: adam, lr: 0.05}
        schedule: {kind: cosine, warmup_steps: 20}
        training: {epochs: 100, batch_size: 128, seed: 5}
        checkpoint: {every_steps: 50, keep: 3}
        cluster: {worker_give_up_after: 5}
        """

    /// Starts `train`, waits for the checkpoint of `step` to appear, and kills the coordinator
    /// and its workers with SIGKILL. Returns the run id.
    func trainAndKill(_ fixture: TrainingFixture, job: String, afterCheckpoint step: Int) throws -> String {
        let before = Set(runDirectories(fixture))
        let train = try ChildProcess(
            try BuiltProducts.executable("trainyard"), ["train", job, "--workers", "2"],
            environment: ["TRAINYARD_HOME": fixture.home.path], currentDirectory: fixture.home.url)
        defer { train.stop() }
        var runID: String?
        var workers: [Int32] = []
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, processAlive(train.pid) {
            workers = Array(Set(workers).union(childProcesses(of: train.pid)))
            runID = runID ?? Set(runDirectories(fixture)).subtracting(before).first
            if let runID, FileManager.default.fileExists(atPath: checkpoint(fixture, runID, step).path) { break }
            usleep(2_000)
        }
        let id = try #require(runID, "no run directory appeared: \(train.stderr)")
        try #require(
            FileManager.default.fileExists(atPath: checkpoint(fixture, id, step).path),
            "no checkpoint at step \(step): \(train.stderr)")
        kill(train.pid, SIGKILL)
        for worker in workers { kill(worker, SIGKILL) }
        _ = try? train.wait(timeout: 30)
        let status = try runTrainyard(["runs", "show", id, "--json"], home: fixture.home)
        let run = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        try #require(run["status"] as? String == "RUNNING", "the run ended before the kill: \(run["status"] ?? "?")")
        return id
    }

    func runDirectories(_ fixture: TrainingFixture) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: fixture.home.file("artifacts").path)) ?? []
    }

    func checkpoint(_ fixture: TrainingFixture, _ runID: String, _ step: Int) -> URL {
        let name = "step-" + String(repeating: "0", count: 8 - String(step).count) + "\(step).safetensors"
        return fixture.home.file("artifacts/\(runID)/checkpoints/\(name)")
    }

    func resume(_ fixture: TrainingFixture, _ runID: String, workers: Int) throws -> (
        summary: [String: Any], stderr: String
    ) {
        let result = try runTrainyard(
            ["resume", runID, "--workers", "\(workers)", "--json"], home: fixture.home, timeout: 240)
        try #require(result.status == 0, "resume failed (\(result.status)): \(result.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        return (summary, result.stderr)
    }

    @Test func killedCoordinatorsResumeToTheUninterruptedModel() throws {
        let fixture = try TrainingFixture("resume")
        defer { fixture.remove() }
        try fixture.generate("binary", rows: 3000, features: 8, separation: 0.8)
        let job = try fixture.job(Self.job)
        let reference = try fixture.train(job, workers: 2)
        let expected = try #require(reference["final_params_sha256"] as? String)

        // Three kill points, resumed with the same, fewer and more workers.
        for (step, workers) in [(100, 2), (600, 1), (1200, 3)] {
            let runID = try trainAndKill(fixture, job: job, afterCheckpoint: step)
            let (summary, stderr) = try resume(fixture, runID, workers: workers)
            #expect(summary["status"] as? String == "FINISHED")
            #expect(summary["run_id"] as? String == runID)
            #expect(
                summary["final_params_sha256"] as? String == expected,
                "killed after step \(step), resumed with \(workers): \(stderr)")
            #expect(stderr.contains("resuming run \(runID) from step-"))
        }
    }

    @Test func aTruncatedNewestCheckpointFallsBackAndAnotherArchitectureIsRefused() throws {
        let fixture = try TrainingFixture("resume-bad")
        defer { fixture.remove() }
        try fixture.generate("binary", rows: 3000, features: 8, separation: 0.8)
        let job = try fixture.job(Self.job)
        let reference = try fixture.train(job, workers: 1)

        // Another architecture's checkpoint as the newest file: refused, naming both models.
        let mlpJob = try fixture.job(
            Self.job.replacingOccurrences(of: "{kind: logistic}", with: "{kind: mlp, hidden: [4]}")
                .replacingOccurrences(of: "epochs: 100", with: "epochs: 3"), name: "mlp.yaml")
        let mlp = try fixture.train(mlpJob, workers: 1)
        let mlpCheckpoint = fixture.home.file(
            "artifacts/\(mlp["run_id"] as! String)/checkpoints/step-00000054.safetensors")

        let runID = try trainAndKill(fixture, job: job, afterCheckpoint: 300)
        let newest = try #require(
            try FileManager.default.contentsOfDirectory(
                atPath: fixture.home.file("artifacts/\(runID)/checkpoints").path
            )
            .filter { $0.hasPrefix("step-") }.max())
        let foreign = fixture.home.file("artifacts/\(runID)/checkpoints/step-99999999.safetensors")
        try FileManager.default.copyItem(at: mlpCheckpoint, to: foreign)
        let refused = try runTrainyard(["resume", runID, "--workers", "1"], home: fixture.home)
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("mlp 8-4-2") && refused.stderr.contains("logistic"), "\(refused.stderr)")
        #expect(
            try runTrainyard(["resume", runID, "--force"], home: fixture.home).status == 2,
            "--force never accepts another model")
        try FileManager.default.removeItem(at: foreign)

        // Truncate the newest checkpoint: the one before is used, with a warning naming the file.
        let newestURL = fixture.home.file("artifacts/\(runID)/checkpoints/\(newest)")
        let bytes = try Data(contentsOf: newestURL)
        try bytes.prefix(bytes.count / 2).write(to: newestURL)
        let (summary, stderr) = try resume(fixture, runID, workers: 2)
        #expect(stderr.contains("skipping checkpoint \(newestURL.path)"), "\(stderr)")
        #expect(summary["final_params_sha256"] as? String == reference["final_params_sha256"] as? String)

        // A finished run has nothing to resume.
        let again = try runTrainyard(["resume", runID], home: fixture.home)
        #expect(again.status == 2 && again.stderr.contains("already finished"), "\(again.stderr)")
    }

    /// Python's safetensors reads our checkpoints and final parameters: same values (by the
    /// run's fingerprint), same metadata, and the XXH64 checksum verifies with python-xxhash.
    @Test func checkpointsLoadInPythonSafetensors() throws {
        let fixture = try TrainingFixture("resume-python")
        defer { fixture.remove() }
        try fixture.generate("binary", rows: 1000, features: 8, separation: 0.8)
        let job = try fixture.job(Self.job.replacingOccurrences(of: "epochs: 100", with: "epochs: 8"))
        let summary = try fixture.train(job, workers: 2)
        let runID = try #require(summary["run_id"] as? String)
        let script = """
            import hashlib, json, sys, struct
            import numpy as np, xxhash
            from safetensors import safe_open
            from safetensors.numpy import load_file
            path = sys.argv[1]
            tensors = load_file(path)
            with safe_open(path, "np") as f:
                meta = f.metadata()
            raw = open(path, "rb").read()
            n = struct.unpack("<Q", raw[:8])[0]
            flat = np.concatenate([tensors[name].ravel() for name in sys.argv[2:]]).astype("<f4")
            print(json.dumps({"sha": hashlib.sha256(flat.tobytes()).hexdigest(), "meta": meta,
                              "xxh64": xxhash.xxh64(raw[8 + n:]).hexdigest(),
                              "shapes": {k: list(v.shape) for k, v in tensors.items()}}))
            """
        let scriptURL = fixture.home.file("load.py")
        try script.write(to: scriptURL, atomically: true, encoding: .utf8)
        let checkpoint = fixture.home.file("artifacts/\(runID)/checkpoints/step-00000048.safetensors")
        let python = try runProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", scriptURL.path, checkpoint.path, "weight", "bias"])
        try #require(python.status == 0, "python failed: \(python.stderr)")
        let loaded = try #require(try JSONSerialization.jsonObject(with: Data(python.stdout.utf8)) as? [String: Any])
        let meta = try #require(loaded["meta"] as? [String: String])
        #expect(loaded["sha"] as? String == summary["final_params_sha256"] as? String)
        #expect(meta["format"] == "trainyard-checkpoint/1")
        #expect(meta["step"] == "48" && meta["run_id"] == runID && meta["optimizer_step"] == "48")
        #expect(meta["checksum_xxh64"] == loaded["xxh64"] as? String)
        let shapes = try #require(loaded["shapes"] as? [String: [Int]])
        #expect(shapes == ["weight": [1, 8], "bias": [1], "optimizer.exp_avg": [9], "optimizer.exp_avg_sq": [9]])

        let final = fixture.home.file("artifacts/\(runID)/final.safetensors")
        let finalLoaded = try runProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", scriptURL.path, final.path, "weight", "bias"])
        #expect(finalLoaded.stdout.contains(summary["final_params_sha256"] as! String), "\(finalLoaded.stderr)")
    }
}
