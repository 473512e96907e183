import Foundation
import Testing
import TrackingStore

@Suite struct RunLifecycleTests {
    @Test func experimentsAreGetOrCreate() throws {
        try withStore { store, _ in
            let first = try store.createExperiment("digits")
            let again = try store.createExperiment("digits")
            #expect(first.createdAt == again.createdAt)
            _ = try store.startRun(experiment: "digits")
            _ = try store.startRun(experiment: "iris")
            #expect(try store.experiments().map(\.name) == ["digits", "iris"])
            #expect(try store.experiments().map(\.runCount) == [1, 1])
            #expect(throws: TrackingError.self) { try store.createExperiment("bad name") }
        }
    }

    @Test func runIDsAreShortHexAndUnique() throws {
        try withStore { store, _ in
            var ids = Set<String>()
            for _ in 0..<60 { ids.insert(try store.startRun(experiment: "e")) }
            #expect(ids.count == 60)
            #expect(ids.allSatisfy { $0.count == 12 && $0.allSatisfy { "0123456789abcdef".contains($0) } })
        }
    }

    @Test func recordsEverythingAboutARun() throws {
        try withStore { store, _ in
            let parent = try store.startRun(experiment: "sweeps", name: "sweep-1")
            let id = try store.startRun(
                experiment: "sweeps", name: "trial-1", configJSON: #"{"optimizer":{"lr":0.1}}"#,
                codeRevision: "abc123", host: "node-7", parentRunID: parent)
            try store.logParams(runID: id, ["lr": "0.1", "optimizer": "adam"])
            try store.setTag(runID: id, key: "note", value: "first")
            try store.setTag(runID: id, key: "note", value: "second")
            try store.logMetrics([
                MetricPoint(runID: id, key: "val_loss", step: 1, value: 0.9),
                MetricPoint(runID: id, key: "val_loss", step: 2, value: 0.4),
                MetricPoint(runID: id, key: "val_loss", step: 3, value: 0.6),
            ])
            try store.logArtifact(
                runID: id, kind: "checkpoint", path: "artifacts/\(id)/ckpt-3", digest: fakeDigest(1), size: 42)
            let sha = fakeDigest(9)
            try store.finishRun(id, status: .finished, finalParamsSHA256: sha)

            let run = try store.run(id)
            #expect(run.experiment == "sweeps")
            #expect(run.name == "trial-1")
            #expect(run.status == .finished)
            #expect(run.endTime != nil)
            #expect(run.configJSON.contains("optimizer"))
            #expect(run.codeRevision == "abc123")
            #expect(run.host == "node-7")
            #expect(run.parentRunID == parent)
            #expect(run.finalParamsSHA256 == sha)
            #expect(run.params == ["lr": "0.1", "optimizer": "adam"])
            #expect(run.tags == ["note": "second"])
            #expect(run.metrics.count == 1)
            #expect(run.metrics[0].last == 0.6)
            #expect(run.metrics[0].lastStep == 3)
            #expect(run.metrics[0].min == 0.4)
            #expect(run.metrics[0].max == 0.9)
            #expect(run.metrics[0].count == 3)
            #expect(run.artifacts.map(\.path) == ["artifacts/\(id)/ckpt-3"])
            #expect(try store.run(parent).childRunIDs == [id])
        }
    }

    @Test func paramsAreImmutable() throws {
        try withStore { store, _ in
            let id = try store.startRun(experiment: "e")
            try store.logParams(runID: id, ["lr": "0.1"])
            try store.logParams(runID: id, ["lr": "0.1", "epochs": "3"])
            do {
                try store.logParams(runID: id, ["batch": "32", "lr": "0.2"])
                Issue.record("changing a param must fail")
            } catch let error as TrackingError {
                #expect(error == .paramConflict(runID: id, key: "lr", existing: "0.1", new: "0.2"))
                #expect(
                    error.description.contains("'lr'") && error.description.contains("0.1")
                        && error.description.contains("0.2"))
            }
            // The failed call stored nothing, not even its new key.
            #expect(try store.run(id).params == ["lr": "0.1", "epochs": "3"])
        }
    }

    @Test func resolvesPrefixesAndNamesLikeGit() throws {
        try withStore { store, _ in
            let a = try store.startRun(experiment: "e", name: "alpha")
            let b = try store.startRun(experiment: "e", name: "beta")
            #expect(try store.resolveRunID(a) == a)
            #expect(try store.resolveRunID("alpha") == a)
            // The shortest prefix that distinguishes the two ids resolves; a shared prefix is ambiguous.
            let common = zip(a, b).prefix { $0 == $1 }.count
            #expect(try store.resolveRunID(String(a.prefix(common + 1))) == a)
            if common > 0 {
                #expect(
                    throws: TrackingError.ambiguous(
                        kind: "run", reference: String(a.prefix(common)),
                        candidates: [a, b].sorted())
                ) {
                    try store.resolveRunID(String(a.prefix(common)))
                }
            }
            do {
                _ = try store.run("alpah")
                Issue.record("unknown run must fail")
            } catch TrackingError.notFound(let kind, _, let near) {
                #expect(kind == "run")
                #expect(near.contains("alpha"))
            }
        }
    }

    @Test func rejectsMalformedInput() throws {
        try withStore { store, _ in
            #expect(throws: TrackingError.self) { try store.startRun(experiment: "e", configJSON: "{not json") }
            let id = try store.startRun(experiment: "e")
            #expect(throws: TrackingError.self) {
                try store.logArtifact(runID: id, kind: "x", path: "../etc/passwd", digest: fakeDigest(1), size: 1)
            }
            #expect(throws: TrackingError.self) {
                try store.logArtifact(runID: id, kind: "x", path: "/abs", digest: fakeDigest(1), size: 1)
            }
            #expect(throws: TrackingError.self) { try store.finishRun(id, finalParamsSHA256: "xyz") }
            #expect(throws: TrackingError.self) { try store.logParams(runID: "ffffffffffff", ["a": "b"]) }
        }
    }
}
