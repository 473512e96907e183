import Foundation
import Testing
import TrainyardTestSupport

/// The model package at the end of a run: registered by `register:`, exported, and scored with
/// `trainyard predict` — checked against numpy computing the same model from the package files.
@Suite(.serialized) struct PackageCLITests {
    /// Recomputes predictions for a CSV from model.json + model.safetensors with numpy and
    /// compares them with `predict`'s output; prints a JSON verdict.
    static let numpyCheck = """
        import csv, hashlib, json, struct, sys
        import numpy as np, xxhash
        from safetensors import safe_open
        from safetensors.numpy import load_file
        package, data_csv, predicted_csv = sys.argv[1:4]
        manifest = json.load(open(package + "/model.json"))
        weights = load_file(package + "/model.safetensors")
        raw = open(package + "/model.safetensors", "rb").read()
        n = struct.unpack("<Q", raw[:8])[0]
        with safe_open(package + "/model.safetensors", "np") as f:
            meta = f.metadata()
        rows = list(csv.DictReader(open(data_csv)))
        names = [c["name"] for c in manifest["input"]["columns"]]
        x = np.array([[float(r[c]) for c in names] for r in rows], dtype=np.float32)
        for step in (manifest.get("transforms") or {"steps": []})["steps"]:
            x = (x - np.array(step["offset"], dtype=np.float32)) * np.array(step["scale"], dtype=np.float32)
        z = x @ weights["weight"].T + weights["bias"]
        out = list(csv.DictReader(open(predicted_csv)))
        result = {"rows": len(out), "checksum_ok": meta["checksum_xxh64"] == xxhash.xxh64(raw[8 + n:]).hexdigest(),
                  "params_sha256": hashlib.sha256(np.concatenate([weights["weight"].ravel(), weights["bias"].ravel()]).astype("<f4").tobytes()).hexdigest()}
        if manifest["task"] == "classification":
            p = np.exp(z - z.max(axis=1, keepdims=True)); p /= p.sum(axis=1, keepdims=True)
            labels = manifest["labels"]
            ours = np.array([[float(r["p_" + l]) for l in labels] for r in out])
            result["max_abs_diff"] = float(np.abs(ours - p).max())
            result["labels_agree"] = all(r["prediction"] == labels[i] for r, i in zip(out, p.argmax(axis=1)))
        else:
            ours = np.array([float(r["prediction"]) for r in out])
            result["max_abs_diff"] = float(np.abs(ours - z[:, 0]).max() / max(1.0, np.abs(z).max()))
            result["labels_agree"] = True
        print(json.dumps(result))
        """

    func numpy(_ fixture: TrainingFixture, package: URL, data: URL, predicted: URL) throws -> [String: Any] {
        let script = fixture.home.file("check.py")
        try Self.numpyCheck.write(to: script, atomically: true, encoding: .utf8)
        let python = try runProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", script.path, package.path, data.path, predicted.path])
        try #require(python.status == 0, "python failed: \(python.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(python.stdout.utf8)) as? [String: Any])
    }

    @Test(arguments: [("classification", "softmax", 3), ("regression", "linear", 2)])
    func aRegisteredModelScoresACSVLikeNumpy(kind: String, model: String, classes: Int) throws {
        let fixture = try TrainingFixture("package-\(model)")
        defer { fixture.remove() }
        try fixture.generate("demo", kind: kind, rows: 1500, features: 5, classes: classes)
        let job = try fixture.job(
            """
            data: {dataset: demo, label: label, validation: 0.2, transforms: [standardize]}
            model: {kind: \(model)}
            optimizer: {kind: sgd, lr: 0.1, momentum: 0.9}
            training: {epochs: 4, batch_size: 100, seed: 3}
            register: {model: demo-\(model), alias: staging}
            """)
        let summary = try fixture.train(job, workers: 2)
        #expect(summary["model_version"] as? String == "demo-\(model)/1")

        let shown = try runTrainyard(["models", "show", "demo-\(model)@staging", "--json"], home: fixture.home)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        let version = try #require((record["versions"] as? [[String: Any]])?.first)
        #expect(version["source_run_id"] as? String == summary["run_id"] as? String)
        let packagePath = try #require(version["package_path"] as? String)

        let data = fixture.home.file("demo.csv")
        let exported = try runTrainyard(
            ["data", "export", "demo", "--output", data.path, "--limit", "300"], home: fixture.home)
        try #require(exported.status == 0, "\(exported.stderr)")
        let predicted = fixture.home.file("predicted.csv")
        let predict = try runTrainyard(
            ["predict", "demo-\(model)@staging", "--input", data.path, "--output", predicted.path],
            home: fixture.home)
        try #require(predict.status == 0, "\(predict.stderr)")
        #expect(predict.stderr.contains("scored 300 rows with demo-\(model)/1"))

        let verdict = try numpy(fixture, package: fixture.home.file(packagePath), data: data, predicted: predicted)
        #expect(verdict["rows"] as? Int == 300)
        #expect(verdict["checksum_ok"] as? Bool == true)
        #expect(verdict["params_sha256"] as? String == summary["final_params_sha256"] as? String)
        #expect((verdict["max_abs_diff"] as? Double ?? 1) < 1e-5, "\(verdict)")
        #expect(verdict["labels_agree"] as? Bool == true, "\(verdict)")

        // An exported copy scores the same; standard output when no --output is given.
        let copy = fixture.home.file("exported")
        #expect(
            try runTrainyard(["models", "export", "demo-\(model)@staging", copy.path], home: fixture.home).status == 0)
        let again = try runTrainyard(["predict", copy.path, "--input", data.path], home: fixture.home)
        #expect(again.status == 0)
        #expect(again.stdout == (try String(contentsOf: predicted, encoding: .utf8)))
    }

    @Test func badInputsAndDamagedPackagesAreRefusedNamingTheProblem() throws {
        let fixture = try TrainingFixture("package-bad")
        defer { fixture.remove() }
        try fixture.generate("demo", rows: 600, features: 3)
        let job = try fixture.job(
            """
            data: {dataset: demo, label: label}
            model: {kind: logistic}
            training: {epochs: 1, batch_size: 100}
            register: {model: tiny}
            """)
        _ = try fixture.train(job, workers: 1)
        let csv = fixture.home.file("in.csv")
        try "x0,x2\n1,2\n".write(to: csv, atomically: true, encoding: .utf8)
        let missing = try runTrainyard(["predict", "tiny/1", "--input", csv.path], home: fixture.home)
        #expect(missing.status == 2 && missing.stderr.contains("\"x1\" is missing"), "\(missing.stderr)")
        try "x0,x1,x2\n1,abc,2\n".write(to: csv, atomically: true, encoding: .utf8)
        let text = try runTrainyard(["predict", "tiny/1", "--input", csv.path], home: fixture.home)
        #expect(text.status == 2 && text.stderr.contains("x1") && text.stderr.contains("abc"), "\(text.stderr)")
        let unknown = try runTrainyard(["predict", "tiny/7", "--input", csv.path], home: fixture.home)
        #expect(unknown.status == 2, "\(unknown.stderr)")

        // Damage the registered package: refused before any scoring, naming the package.
        let shown = try runTrainyard(["models", "show", "tiny/1", "--json"], home: fixture.home)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        let path = try #require((record["versions"] as? [[String: Any]])?.first?["package_path"] as? String)
        let weights = fixture.home.file(path + "/model.safetensors")
        var bytes = [UInt8](try Data(contentsOf: weights))
        bytes[bytes.count - 1] ^= 0x01
        try Data(bytes).write(to: weights)
        try "x0,x1,x2\n1,2,3\n".write(to: csv, atomically: true, encoding: .utf8)
        let damaged = try runTrainyard(["predict", "tiny/1", "--input", csv.path], home: fixture.home)
        #expect(damaged.status == 1 && damaged.stderr.contains("does not match the digest"), "\(damaged.stderr)")
    }
}
