import Foundation
import Testing
import TrackingStore

@Suite struct DeletionTests {
    @Test func deletesTheRunAndItsUnsharedFiles() throws {
        try withStore { store, home in
            let keep = try store.startRun(experiment: "e")
            let gone = try store.startRun(experiment: "e")
            try store.logParams(runID: gone, ["lr": "0.1"])
            try store.logMetric(runID: gone, key: "loss", step: 0, value: 1)
            for (run, path) in [
                (gone, "artifacts/\(gone)/ckpt"), (gone, "artifacts/shared/data"), (keep, "artifacts/shared/data"),
            ] {
                try writeFile(home, path, bytes: 100)
                try store.logArtifact(runID: run, kind: "checkpoint", path: path, digest: fakeDigest(1), size: 100)
            }
            try store.finishRun(gone)
            let deletion = try store.deleteRun(gone, home: home.url)
            #expect(deletion.removedPaths == ["artifacts/\(gone)/ckpt"])
            #expect(deletion.sharedPaths == ["artifacts/shared/data"])
            #expect(deletion.reclaimedBytes == 100)
            #expect(!FileManager.default.fileExists(atPath: home.file("artifacts/\(gone)").path))
            #expect(FileManager.default.fileExists(atPath: home.file("artifacts/shared/data").path))
            #expect(throws: TrackingError.self) { try store.run(gone) }
            #expect(try store.listRuns().map(\.id) == [keep])
        }
    }

    @Test func refusesRunsThatModelsOrWritersStillNeed() throws {
        try withStore { store, home in
            let source = try store.startRun(experiment: "e")
            try store.finishRun(source)
            _ = try store.registerModelVersion(
                name: "m", sourceRunID: source, packagePath: "models/m/1", packageDigest: fakeDigest(1))
            #expect(throws: TrackingError.self) { try store.deleteRun(source, home: home.url) }
            #expect(try store.run(source).id == source)

            let running = try store.startRun(experiment: "e")
            #expect(throws: TrackingError.self) { try store.deleteRun(running, home: home.url) }
            #expect(try store.deleteRun(running, home: home.url, force: true).runID == running)
        }
    }

    @Test func collectsOnlyOldUnreferencedFiles() throws {
        try withStore { store, home in
            let run = try store.startRun(experiment: "e")
            try writeFile(home, "artifacts/\(run)/ckpt-1")
            try store.logArtifact(
                runID: run, kind: "checkpoint", path: "artifacts/\(run)/ckpt-1", digest: fakeDigest(1), size: 16)
            try writeFile(home, "models/m/1/weights.safetensors")
            try writeFile(home, "models/m/1/manifest.json")
            _ = try store.registerModelVersion(
                name: "m", sourceRunID: run, packagePath: "models/m/1", packageDigest: fakeDigest(2))
            try writeFile(home, "artifacts/orphan/old.bin", bytes: 64)
            try age(home, "artifacts/orphan/old.bin", by: 3600)
            try writeFile(home, "artifacts/orphan/fresh.bin")
            try writeFile(home, "datasets/abc/data.bin")
            try age(home, "datasets/abc/data.bin", by: 3600)

            let dry = try store.collectGarbage(home: home.url, gracePeriod: 600, dryRun: true)
            #expect(dry.removedFiles == ["artifacts/orphan/old.bin"])
            #expect(FileManager.default.fileExists(atPath: home.file("artifacts/orphan/old.bin").path))

            let report = try store.collectGarbage(home: home.url, gracePeriod: 600)
            #expect(report.removedFiles == ["artifacts/orphan/old.bin"])
            #expect(report.youngFiles == ["artifacts/orphan/fresh.bin"])
            #expect(report.referencedFiles == 3)
            #expect(report.reclaimedBytes == 64)
            #expect(!FileManager.default.fileExists(atPath: home.file("artifacts/orphan/old.bin").path))
            #expect(FileManager.default.fileExists(atPath: home.file("datasets/abc/data.bin").path))

            let all = try store.collectGarbage(home: home.url, gracePeriod: 0)
            #expect(all.removedFiles == ["artifacts/orphan/fresh.bin"])
            #expect(!FileManager.default.fileExists(atPath: home.file("artifacts/orphan").path))
            #expect(FileManager.default.fileExists(atPath: home.file("models/m/1/manifest.json").path))
        }
    }
}
