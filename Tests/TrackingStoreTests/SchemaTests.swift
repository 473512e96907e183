import Foundation
import Testing
import TrackingStore
import TrainyardTestSupport

@Suite struct SchemaTests {
    @Test func newDatabaseHasTheCurrentVersion() throws {
        try withStore { store, _ in
            let version = try store.schemaVersion()
            let integrity = try store.integrityCheck()
            #expect(version == TrackingStore.supportedSchemaVersion)
            #expect(integrity == ["ok"])
        }
    }

    @Test func reopeningKeepsData() throws {
        let home = try TemporaryDirectory("schema")
        defer { home.remove() }
        let path = home.file("trainyard.db")
        let id = try TrackingStore(path: path).startRun(experiment: "e")
        #expect(try TrackingStore(path: path).run(id).id == id)
    }

    @Test func refusesANewerSchemaWithoutTouchingTheFile() throws {
        let home = try TemporaryDirectory("schema")
        defer { home.remove() }
        let path = home.file("trainyard.db")
        do {
            let store = try TrackingStore(path: path)
            _ = try store.startRun(experiment: "e")
        }
        // Simulate a database written by a newer trainyard.
        try bumpUserVersion(path, to: TrackingStore.supportedSchemaVersion + 1)
        let before = try Data(contentsOf: path)
        do {
            _ = try TrackingStore(path: path)
            Issue.record("a newer schema must be refused")
        } catch let error as TrackingError {
            #expect(
                error
                    == .schemaTooNew(
                        path: path.path, found: TrackingStore.supportedSchemaVersion + 1,
                        supported: TrackingStore.supportedSchemaVersion))
            #expect(error.description.contains("not modified"))
        }
        #expect(try Data(contentsOf: path) == before)
    }

    /// Writes `PRAGMA user_version` directly into the database header (bytes 60-63, big-endian),
    /// after checkpointing the WAL so the main file is complete.
    private func bumpUserVersion(_ path: URL, to version: Int) throws {
        for suffix in ["-wal", "-shm"] {
            let side = URL(fileURLWithPath: path.path + suffix)
            if FileManager.default.fileExists(atPath: side.path) {
                let size = (try FileManager.default.attributesOfItem(atPath: side.path)[.size] as? Int) ?? 0
                #expect(suffix == "-shm" || size == 0, "the WAL must be checkpointed when the last connection closes")
            }
        }
        var bytes = try Data(contentsOf: path)
        let value = UInt32(version)
        bytes[60] = UInt8(value >> 24)
        bytes[61] = UInt8((value >> 16) & 0xff)
        bytes[62] = UInt8((value >> 8) & 0xff)
        bytes[63] = UInt8(value & 0xff)
        try bytes.write(to: path)
    }
}
