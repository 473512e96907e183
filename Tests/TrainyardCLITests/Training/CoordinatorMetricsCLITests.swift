import Foundation
import Testing
import TrainyardTestSupport

/// `train --metrics-port 0` serves the coordinator's Prometheus metrics while it trains.
@Suite struct CoordinatorMetricsCLITests {
    static let scrape = """
        import json, subprocess, sys, time, urllib.request
        from prometheus_client.parser import text_string_to_metric_families
        url = sys.argv[1]
        for _ in range(200):   # until a step has been counted
            text = urllib.request.urlopen(url).read().decode()
            families = {f.name: [s.value for s in f.samples] for f in text_string_to_metric_families(text)}
            if families.get("trainyard_training_steps", [0])[0] > 0: break
            time.sleep(0.05)
        lint = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), capture_output=True)
        print(json.dumps({"families": families, "promtool": lint.returncode, "lint": (lint.stdout + lint.stderr).decode()}))
        """

    @Test func theCoordinatorServesItsMetricsWhileTraining() throws {
        let fixture = try TrainingFixture("coordinator-metrics")
        defer { fixture.remove() }
        try fixture.generate("binary", rows: 2000, features: 8)
        let job = try fixture.job(
            """
            data: {dataset: binary, label: label}
            model: {kind: logistic}
            training: {epochs: 2000, batch_size: 100}
            cluster: {min_workers: 2}
            """)
        let train = try ChildProcess(
            try BuiltProducts.executable("trainyard"),
            ["train", job, "--workers", "2", "--metrics-port", "0"],
            environment: ["TRAINYARD_HOME": fixture.home.path], currentDirectory: fixture.home.url)
        defer {
            train.send(SIGINT)
            _ = try? train.wait(timeout: 60)
            train.stop()
        }
        try #require(
            train.waitForOutput(timeout: 60) { _, err in err.contains("metrics on http://") }, "\(train.stderr)")
        let line = try #require(train.stderr.split(separator: "\n").first { $0.contains("metrics on http://") })
        let url = try #require(
            line.range(of: "http://[0-9.]+:[0-9]+/metrics", options: .regularExpression).map { String(line[$0]) })
        let script = fixture.home.file("scrape.py")
        try Self.scrape.write(to: script, atomically: true, encoding: .utf8)
        let result = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script.path, url])
        try #require(result.status == 0, "\(result.stderr)")
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(parsed["promtool"] as? Int == 0, "\(parsed["lint"] ?? "")")
        let families = try #require(parsed["families"] as? [String: [Double]])
        #expect((families["trainyard_training_steps"]?.first ?? 0) > 0, "\(families.keys.sorted())")
        #expect(families["trainyard_training_min_workers"] == [2])
        #expect(families["trainyard_training_running"] == [1])
        #expect(families["trainyard_training_active_workers"] == [2])
        #expect(
            families["trainyard_training_step_duration_seconds"] != nil && families["trainyard_training_loss"] != nil)
        #expect(families["trainyard_training_membership_events"] == [2])
    }
}
