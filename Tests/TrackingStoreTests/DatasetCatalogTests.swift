import Foundation
import Testing
import TrackingStore

@Suite struct DatasetCatalogTests {
    private func record(_ name: String, _ seed: Int, at seconds: Double) -> DatasetVersionRecord {
        let digest = fakeDigest(seed)
        return DatasetVersionRecord(
            name: name, digest: digest, format: "csv", rows: 100 + seed, features: 4, label: "label",
            task: "classification", sourcePath: "/data/\(name).csv", storePath: "datasets/\(digest)",
            sizeBytes: 2048, schemaJSON: #"{"columns":[]}"#, statsJSON: "{}",
            createdAt: Date(timeIntervalSince1970: 1_700_000_000 + seconds))
    }

    @Test func registersOnceAndListsNewestFirst() throws {
        try withStore { store, _ in
            let v1 = record("iris", 1, at: 0)
            #expect(try store.registerDatasetVersion(v1).created)
            var again = v1
            again.createdAt = Date()
            let second = try store.registerDatasetVersion(again)
            #expect(!second.created)
            #expect(second.record == v1)
            _ = try store.registerDatasetVersion(record("iris", 2, at: 10))
            _ = try store.registerDatasetVersion(record("digits", 3, at: 5))
            #expect(try store.datasetVersions(name: "iris").map(\.rows) == [102, 101])
            #expect(try store.datasetVersions(name: nil).map(\.name) == ["iris", "digits", "iris"])
            #expect(v1.versionLabel == "iris@" + v1.digest.prefix(12))
            #expect(throws: TrackingError.self) { try store.registerDatasetVersion(record("bad name", 4, at: 0)) }
        }
    }

    @Test func resolvesNamesPrefixesAndDigests() throws {
        try withStore { store, _ in
            let old = record("iris", 1, at: 0)
            let new = record("iris", 2, at: 10)
            _ = try store.registerDatasetVersion(old)
            _ = try store.registerDatasetVersion(new)
            #expect(try store.resolveDatasetVersion("iris") == new)
            #expect(try store.resolveDatasetVersion("iris@" + old.digest.prefix(6)) == old)
            #expect(try store.resolveDatasetVersion(old.digest) == old)
            #expect(throws: TrackingError.self) { try store.resolveDatasetVersion("iris@ab") }
            #expect(throws: TrackingError.notFound(kind: "dataset", reference: "irs", nearMatches: ["iris"])) {
                try store.resolveDatasetVersion("irs")
            }
        }
    }

    @Test func linksRunsToDatasets() throws {
        try withStore { store, _ in
            let iris = record("iris", 1, at: 0)
            _ = try store.registerDatasetVersion(iris)
            let run = try store.startRun(experiment: "e", name: "fit")
            try store.linkDataset(runID: run, digest: iris.digest, role: "train")
            try store.linkDataset(runID: run, digest: iris.digest, role: "train")
            try store.linkDataset(runID: run, digest: iris.digest, role: "validation")
            #expect(
                try store.runsUsingDataset(digest: iris.digest) == [
                    DatasetUse(runID: run, runName: "fit", status: "RUNNING", role: "train"),
                    DatasetUse(runID: run, runName: "fit", status: "RUNNING", role: "validation"),
                ])
            #expect(try store.run(run).datasets.map(\.role) == ["train", "validation"])
            #expect(try store.run(run).datasets[0].versions == [iris.versionLabel])
            #expect(throws: TrackingError.self) {
                try store.linkDataset(runID: run, digest: fakeDigest(99), role: "train")
            }
        }
    }
}
