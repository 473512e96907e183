import Foundation
import TrainyardKit

extension TrainyardHome {
    /// Reads `TRAINYARD_HOME` (default `./.trainyard`) and makes the path absolute.
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        -> TrainyardHome
    {
        let raw = environment["TRAINYARD_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ".trainyard"
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        let url =
            raw.hasPrefix("/")
            ? URL(fileURLWithPath: raw, isDirectory: true)
            : cwd.appendingPathComponent(raw, isDirectory: true)
        return TrainyardHome(root: url.standardizedFileURL)
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
            FileManager.default.isWritableFile(atPath: directory)
        else { return nil }
        return directory
    }
}
