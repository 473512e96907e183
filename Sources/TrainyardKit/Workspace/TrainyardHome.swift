import Foundation

/// The directory that holds all of Trainyard's state: the tracking database, the dataset store
/// and artifacts.
///
/// The CLI resolves it from `TRAINYARD_HOME` (default `./.trainyard`); the application layer
/// receives the resolved path.
package struct TrainyardHome: Sendable {
    /// Absolute path of the home directory.
    package let root: URL

    package init(root: URL) { self.root = root }

    /// `TRAINYARD_HOME/trainyard.db`: the SQLite tracking database.
    package var database: URL { root.appendingPathComponent("trainyard.db") }
    /// `TRAINYARD_HOME/datasets`: the content-addressed dataset store.
    package var datasets: URL { root.appendingPathComponent("datasets", isDirectory: true) }
    /// `TRAINYARD_HOME/artifacts`: run artifacts (checkpoints, packages).
    package var artifacts: URL { root.appendingPathComponent("artifacts", isDirectory: true) }

    /// Creates the home directory (and its parents) when missing.
    package func create() throws {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }
}
