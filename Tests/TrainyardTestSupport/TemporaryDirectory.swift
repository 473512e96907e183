import Foundation

/// A fresh directory under the system temporary directory, removed by `remove()`.
///
/// Tests use one as a private `TRAINYARD_HOME` so they never share state.
package struct TemporaryDirectory: Sendable {
    package let url: URL

    /// Creates `…/trainyard-<label>-<uuid>`.
    package init(_ label: String = "test") throws {
        let base = URL(fileURLWithPath: NSTemporaryDirectory(), isDirectory: true)
        url = base.appendingPathComponent("trainyard-\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    package var path: String { url.path }

    /// A path inside the directory.
    package func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Deletes the directory and everything in it.
    package func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
