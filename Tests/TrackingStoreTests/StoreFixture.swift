import Foundation
import TrackingStore
import TrainyardTestSupport

/// A fresh store in a private temporary `TRAINYARD_HOME`, removed after `body`.
func withStore<T>(_ body: (TrackingStore, TemporaryDirectory) throws -> T) throws -> T {
    let home = try TemporaryDirectory("tracking")
    defer { home.remove() }
    let store = try TrackingStore(path: home.file("trainyard.db"))
    return try body(store, home)
}

/// A SHA-256-shaped hex string derived from `seed` (tests only need the shape).
func fakeDigest(_ seed: Int) -> String {
    String(repeating: String(format: "%016llx", UInt64(seed) &* 0x9E37_79B9_7F4A_7C15), count: 4)
}

/// Writes `bytes` bytes at `home/relative`, creating directories.
func writeFile(_ home: TemporaryDirectory, _ relative: String, bytes: Int = 16) throws {
    let url = home.file(relative)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(repeating: 7, count: bytes).write(to: url)
}

/// Sets a file's modification time `seconds` in the past.
func age(_ home: TemporaryDirectory, _ relative: String, by seconds: TimeInterval) throws {
    try FileManager.default.setAttributes(
        [.modificationDate: Date().addingTimeInterval(-seconds)], ofItemAtPath: home.file(relative).path)
}
