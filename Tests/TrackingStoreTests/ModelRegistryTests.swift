import Foundation
import Testing
import TrackingStore

@Suite struct ModelRegistryTests {
    private func register(_ store: TrackingStore, _ name: String, count: Int) throws -> String {
        let run = try store.startRun(experiment: "e", name: "trainer")
        for i in 1...count {
            let version = try store.registerModelVersion(
                name: name, sourceRunID: run, packagePath: "models/\(name)/\(i)", packageDigest: fakeDigest(i))
            #expect(version == i)
        }
        return run
    }

    @Test func versionsCountUpPerName() throws {
        try withStore { store, _ in
            let run = try register(store, "digits", count: 3)
            _ = try register(store, "iris", count: 1)
            #expect(try store.modelVersions("digits").map(\.version) == [1, 2, 3])
            #expect(try store.modelVersions("digits").allSatisfy { $0.sourceRunID == run })
            #expect(try store.models().map(\.name) == ["digits", "iris"])
            #expect(try store.model("digits").latestVersion == 3)
            #expect(try store.run(run).modelVersions.contains("digits/2"))
        }
    }

    @Test func resolvesEveryReferenceForm() throws {
        try withStore { store, _ in
            _ = try register(store, "digits", count: 3)
            try store.setAlias(model: "digits", alias: "production", version: 2, actor: "ana@host")
            for reference in ["digits@production", "models:/digits@production", "digits/2", "models:/digits/2"] {
                #expect(try store.resolveModel(reference).version == 2, "\(reference)")
            }
            #expect(try store.resolveModel("digits").version == 3)
            #expect(try store.resolveModel("digits@latest").version == 3)
            #expect(try store.resolveModel("digits/2").aliases == ["production"])
            #expect(try store.resolveModel("digits/2").uri == "models:/digits/2")
        }
    }

    @Test func unknownNamesListNearMatches() throws {
        try withStore { store, _ in
            _ = try register(store, "digits", count: 2)
            try store.setAlias(model: "digits", alias: "production", version: 1, actor: "a")
            #expect(throws: TrackingError.notFound(kind: "model", reference: "digts", nearMatches: ["digits"])) {
                try store.resolveModel("digts@production")
            }
            #expect(
                throws: TrackingError.notFound(
                    kind: "version of model digits", reference: "7", nearMatches: ["1", "2"])
            ) {
                try store.resolveModel("digits/7")
            }
            #expect(
                throws: TrackingError.notFound(
                    kind: "alias of model digits", reference: "prod", nearMatches: ["production"])
            ) {
                try store.resolveModel("digits@prod")
            }
            #expect(throws: TrackingError.self) { try store.resolveModel("digits/zero") }
            #expect(throws: TrackingError.self) {
                try store.setAlias(model: "digits", alias: "3", version: 1, actor: "a")
            }
            #expect(throws: TrackingError.self) {
                try store.setAlias(model: "digits", alias: "staging", version: 9, actor: "a")
            }
        }
    }

    @Test func aliasMovesAreRecordedAndRollBackLikeAStack() throws {
        try withStore { store, _ in
            _ = try register(store, "digits", count: 3)
            let t0 = Date(timeIntervalSince1970: 1_700_000_000)
            #expect(try store.setAlias(model: "digits", alias: "production", version: 1, actor: "ana", at: t0) == nil)
            #expect(try store.setAlias(model: "digits", alias: "production", version: 2, actor: "bo", at: t0 + 1) == 1)
            #expect(try store.setAlias(model: "digits", alias: "production", version: 3, actor: "cy", at: t0 + 2) == 2)
            // Re-pointing at the same version is not a move.
            #expect(try store.setAlias(model: "digits", alias: "production", version: 3, actor: "cy", at: t0 + 3) == 3)
            try store.setAlias(model: "digits", alias: "staging", version: 3, actor: "cy", at: t0 + 4)

            let back = try store.rollback(model: "digits", alias: "production", actor: "dee", at: t0 + 5)
            #expect(back.from == 3 && back.to == 2)
            #expect(try store.resolveModel("digits@production").version == 2)
            #expect(try store.rollback(model: "digits", alias: "production", actor: "dee", at: t0 + 6).to == 1)
            #expect(throws: TrackingError.self) {
                try store.rollback(model: "digits", alias: "production", actor: "dee")
            }
            #expect(try store.resolveModel("digits@production").version == 1)
            #expect(try store.resolveModel("digits@staging").version == 3)

            let history = try store.aliasHistory("digits", alias: "production")
            #expect(history.map(\.version) == [1, 2, 3, 2, 1])
            #expect(history.map(\.previousVersion) == [nil, 1, 2, 3, 2])
            #expect(history.map(\.action) == [.set, .set, .set, .rollback, .rollback])
            #expect(history.map(\.actor) == ["ana", "bo", "cy", "dee", "dee"])
            #expect(history[1].at == t0 + 1)
            #expect(try store.aliasHistory("digits").count == 6)
            #expect(try store.model("digits").aliases == ["production": 1, "staging": 3])
        }
    }
}
