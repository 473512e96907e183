import Foundation

/// The directory that holds all of Trainyard's state: the tracking database, the dataset store
/// and artifacts.
///
/// Resolved from `TRAINYARD_HOME`, defaulting to `./.trainyard` in the working directory. Only the
/// CLI reads the environment; libraries receive the resolved paths.
struct TrainyardHome: Sendable {
    /// Absolute path of the home directory.
    let root: URL

    /// Reads `TRAINYARD_HOME` (default `./.trainyard`) and makes the path absolute.
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        -> TrainyardHome
    {
        let raw = environment["TRAINYARD_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ".trainyard"
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        let url = raw.hasPrefix("/") ? URL(fileURLWithPath: raw, isDirectory: true)
            : cwd.appendingPathComponent(raw, isDirectory: true)
        return TrainyardHome(root: url.standardizedFileURL)
    }

    /// `TRAINYARD_HOME/trainyard.db`: the SQLite tracking database.
    var database: URL { root.appendingPathComponent("trainyard.db") }
    /// `TRAINYARD_HOME/datasets`: the content-addressed dataset store.
    var datasets: URL { root.appendingPathComponent("datasets", isDirectory: true) }
    /// `TRAINYARD_HOME/artifacts`: run artifacts (checkpoints, packages).
    var artifacts: URL { root.appendingPathComponent("artifacts", isDirectory: true) }

    /// Creates the home directory (and its parents) when missing.
    func create() throws {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }
}

/// Where coordinators and workers on one host share parameters and gradients:
/// `TRAINYARD_SHARED_MEMORY` = `off` (or `0`) turns it off, an absolute path names the directory
/// (it should be a tmpfs), and by default `/dev/shm` is used when it exists.
enum SharedMemorySetting {
    static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let value = environment["TRAINYARD_SHARED_MEMORY"] ?? ""
        if ["0", "off", "false", "no"].contains(value.lowercased()) { return nil }
        let directory = value.hasPrefix("/") ? value : "/dev/shm"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
              FileManager.default.isWritableFile(atPath: directory) else { return nil }
        return directory
    }
}
