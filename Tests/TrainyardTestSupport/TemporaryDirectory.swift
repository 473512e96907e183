import Foundation

/// A fresh directory under the system temporary directory, removed by `remove()`.
///
/// Tests use one as a private `TRAINYARD_HOME` so they never share state.
public struct TemporaryDirectory: Sendable {
    public let url: URL

    /// Creates `…/trainyard-<label>-<uuid>`.
    public init(_ label: String = "test") throws {
        let base = URL(fileURLWithPath: NSTemporaryDirectory(), isDirectory: true)
        url = base.appendingPathComponent("trainyard-\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public var path: String { url.path }

    /// A path inside the directory.
    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Deletes the directory and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
