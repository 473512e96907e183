import Foundation
import Testing
import TrainyardTestSupport

@Suite struct RunsCommandTests {
    @Test func listsFiltersAndSorts() throws {
        let fixture = try TrackingCLIFixture()
        defer { fixture.home.remove() }
        let all = try #require(try fixture.json(["runs", "list"]) as? [[String: Any]])
        #expect(all.compactMap { $0["name"] as? String } == ["adam-2", "adam-1", "baseline"])

        let sorted = try #require(
            try fixture.json(["runs", "list", "--sort", "-metrics.val_accuracy"]) as? [[String: Any]])
        #expect(sorted.compactMap { $0["name"] as? String } == ["adam-1", "baseline", "adam-2"])

        let filtered = try #require(
            try fixture.json([
                "runs", "list", "--filter", #"metrics.val_accuracy > 0.9 and params.optimizer = "adam""#,
                "--sort", "-metrics.val_accuracy",
            ]) as? [[String: Any]])
        #expect(filtered.compactMap { $0["id"] as? String } == [fixture.runs["adam-1"]!])
        #expect((filtered.first?["metrics"] as? [String: Double])?["val_accuracy"] == 0.97)

        let failed = try #require(
            try fixture.json(["runs", "list", "--status", "failed", "--experiment", "digits"]) as? [[String: Any]])
        #expect(failed.compactMap { $0["name"] as? String } == ["adam-2"])

        let table = try fixture.trainyard(["runs", "list", "--limit", "1"])
        #expect(table.status == 0)
        #expect(table.stdout.contains(fixture.runs["adam-2"]!) && !table.stdout.contains(fixture.runs["baseline"]!))
    }

    @Test func malformedFilterPointsAtThePosition() throws {
        let fixture = try TrackingCLIFixture()
        defer { fixture.home.remove() }
        let result = try fixture.trainyard(["runs", "list", "--filter", "metrics.val_accuracy >> 0.9"])
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains("  metrics.val_accuracy >> 0.9"))
        #expect(lines.contains("  " + String(repeating: " ", count: 22) + "^"))
        let unknownExperiment = try fixture.trainyard(["runs", "list", "--experiment", "digts"])
        #expect(unknownExperiment.status == 2)
        #expect(unknownExperiment.stderr.contains("digits"))
    }

    @Test func showsARunByPrefixAsJSON() throws {
        let fixture = try TrackingCLIFixture()
        defer { fixture.home.remove() }
        let id = fixture.runs["baseline"]!
        let shown = try #require(try fixture.json(["runs", "show", String(id.prefix(11))]) as? [String: Any])
        #expect(shown["id"] as? String == id)
        #expect(shown["status"] as? String == "FINISHED")
        #expect(shown["final_params_sha256"] as? String == fixture.sha)
        #expect(shown["params"] as? [String: String] == ["optimizer": "sgd", "lr": "0.1", "epochs": "10"])
        #expect((shown["metrics"] as? [String: Double])?["val_accuracy"] == 0.95)
        let artifacts = try #require(shown["artifacts"] as? [[String: Any]])
        #expect(artifacts.first?["path"] as? String == "artifacts/\(id)/checkpoint.bin")
        #expect(shown["model_versions"] as? [String] == ["digits-clf/1"])
        #expect(((shown["config"] as? [String: Any])?["optimizer"] as? [String: Any])?["kind"] as? String == "sgd")

        let text = try fixture.trainyard(["runs", "show", "baseline"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("train: digits@abababababab"))

        let typo = try fixture.trainyard(["runs", "show", "basline"])
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("no run matches 'basline'") && typo.stderr.contains("baseline"))
    }

    @Test func printsASeriesWithAPlot() throws {
        let fixture = try TrackingCLIFixture()
        defer { fixture.home.remove() }
        let series = try #require(try fixture.json(["runs", "metrics", "adam-1", "val_accuracy"]) as? [String: Any])
        let points = try #require(series["points"] as? [[String: Any]])
        #expect(points.compactMap { $0["step"] as? Int } == Array(0..<10))
        #expect(series["last"] as? Double == 0.97)

        let text = try fixture.trainyard(["runs", "metrics", "adam-1", "val_accuracy", "--tail", "3"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("█"))
        #expect(text.stdout.contains("10 points"))
        let tableRows = text.stdout.split(separator: "\n").filter { $0.hasPrefix("   ") && $0.contains("2026-") }
        #expect(tableRows.count == 3)

        let missing = try fixture.trainyard(["runs", "metrics", "adam-1", "val_acc"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("val_accuracy"))
    }

    @Test func comparesRunsAndMarksDifferences() throws {
        let fixture = try TrackingCLIFixture()
        defer { fixture.home.remove() }
        let comparison = try #require(try fixture.json(["runs", "compare", "baseline", "adam-1"]) as? [String: Any])
        let differences = try #require(comparison["differences"] as? [String: [String]])
        #expect(differences["params"] == ["lr", "optimizer"])
        #expect(differences["metrics"] == ["val_accuracy"])

        let text = try fixture.trainyard(["runs", "compare", "baseline", "adam-1", "adam-2"])
        #expect(text.status == 0)
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("*") && $0.contains("params.optimizer") })
        #expect(lines.contains { !$0.hasPrefix("*") && $0.contains("params.epochs") })

        #expect(try fixture.trainyard(["runs", "compare", "baseline"]).status == 2)
    }

    @Test func deletesRunsAndCollectsGarbage() throws {
        let fixture = try TrackingCLIFixture()
        defer { fixture.home.remove() }
        let gone = fixture.runs["adam-2"]!
        #expect(fixture.exists("artifacts/\(gone)/checkpoint.bin"))
        let deleted = try #require(try fixture.json(["runs", "delete", "adam-2"]) as? [[String: Any]])
        #expect(deleted.first?["removed_paths"] as? [String] == ["artifacts/\(gone)/checkpoint.bin"])
        #expect(!fixture.exists("artifacts/\(gone)"))
        #expect(try fixture.trainyard(["runs", "show", gone]).status == 2)

        let protected = try fixture.trainyard(["runs", "delete", "baseline"])
        #expect(protected.status == 2)
        #expect(protected.stderr.contains("digits-clf/1"))
        #expect(fixture.exists("artifacts/\(fixture.runs["baseline"]!)/checkpoint.bin"))

        let dry = try #require(try fixture.json(["gc", "--dry-run"]) as? [String: Any])
        #expect(dry["removed_files"] as? [String] == ["artifacts/orphan/junk.bin"])
        #expect(fixture.exists("artifacts/orphan/junk.bin"))
        let collected = try #require(try fixture.json(["gc"]) as? [String: Any])
        #expect(collected["removed_files"] as? [String] == ["artifacts/orphan/junk.bin"])
        #expect(collected["reclaimed_bytes"] as? Int == 5000)
        #expect(!fixture.exists("artifacts/orphan/junk.bin"))
        #expect(fixture.exists("models/digits-clf/2/weights.safetensors"))
    }
}
