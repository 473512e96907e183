import Foundation
import Testing
import TrainyardTestSupport

@Suite struct ModelsCommandTests {
    @Test func listsAndShowsModelsWithLineage() throws {
        let fixture = try TrackingCLIFixture()
        defer { fixture.home.remove() }
        let models = try #require(try fixture.json(["models", "list"]) as? [[String: Any]])
        #expect(models.count == 1)
        #expect(models.first?["name"] as? String == "digits-clf")
        #expect(models.first?["latest_version"] as? Int == 2)
        #expect(models.first?["aliases"] as? [String: Int] == ["staging": 2])

        let shown = try #require(try fixture.json(["models", "show", "digits-clf"]) as? [String: Any])
        let versions = try #require(shown["versions"] as? [[String: Any]])
        #expect(versions.compactMap { $0["version"] as? Int } == [1, 2])
        let lineage = try #require(versions[1]["lineage"] as? [String: Any])
        #expect(lineage["run_id"] as? String == fixture.runs["adam-1"])
        let datasets = try #require(lineage["datasets"] as? [[String: Any]])
        #expect(datasets.first?["versions"] as? [String] == ["digits@abababababab"])

        let one = try #require(try fixture.json(["models", "show", "models:/digits-clf@staging"]) as? [String: Any])
        #expect((one["versions"] as? [[String: Any]])?.compactMap { $0["version"] as? Int } == [2])
    }

    @Test func movesAliasesRollsBackAndKeepsHistory() throws {
        let fixture = try TrackingCLIFixture()
        defer { fixture.home.remove() }
        #expect(
            try fixture.trainyard(["models", "alias", "digits-clf", "1", "production", "--actor", "ana"]).status == 0)
        let moved = try #require(
            try fixture.json(["models", "alias", "digits-clf", "2", "production", "--actor", "bo"]) as? [String: Any])
        #expect(moved["previous_version"] as? Int == 1)
        let back = try #require(
            try fixture.json(["models", "rollback", "digits-clf", "production", "--actor", "cy"]) as? [String: Any])
        #expect(back["from_version"] as? Int == 2 && back["version"] as? Int == 1)

        let again = try fixture.trainyard(["models", "rollback", "digits-clf", "production"])
        #expect(again.status == 2)
        #expect(again.stderr.contains("no earlier version"))

        let history = try #require(
            try fixture.json(["models", "history", "digits-clf", "--alias", "production"]) as? [[String: Any]])
        #expect(history.compactMap { $0["version"] as? Int } == [1, 2, 1])
        #expect(history.compactMap { $0["actor"] as? String } == ["ana", "bo", "cy"])
        #expect(history.compactMap { $0["action"] as? String } == ["set", "set", "rollback"])
        let shown = try #require(try fixture.json(["models", "show", "digits-clf"]) as? [String: Any])
        #expect(shown["aliases"] as? [String: Int] == ["production": 1, "staging": 2])
    }

    @Test func unknownNamesFailWithNearMatches() throws {
        let fixture = try TrackingCLIFixture()
        defer { fixture.home.remove() }
        let model = try fixture.trainyard(["models", "show", "digits-cfl"])
        #expect(model.status == 2)
        #expect(model.stderr.contains("did you mean: digits-clf"))
        let version = try fixture.trainyard(["models", "alias", "digits-clf", "9", "production"])
        #expect(version.status == 2)
        #expect(version.stderr.contains("no version of model digits-clf matches '9'"))
        let alias = try fixture.trainyard(["models", "rollback", "digits-clf", "stagin"])
        #expect(alias.status == 2)
        #expect(alias.stderr.contains("staging"))
        #expect(try fixture.trainyard(["models", "alias", "digits-clf", "2", "latest"]).status == 2)
    }
}
