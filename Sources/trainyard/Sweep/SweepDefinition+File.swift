import Foundation
import JobConfiguration
import TrainyardKit

extension SweepDefinition {
    /// Reads `path`; `base:` is a job file path, relative to the current directory or, failing
    /// that, to the sweep file's directory.
    /// - Throws: ``BadInput`` naming the file and the key.
    static func load(path: String) throws -> SweepDefinition {
        var document = try YAMLDocument.load(path: path)
        let fileName = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        if document.value(at: "name") == nil { try document.set(.string(fileName), at: "name") }
        switch (document.value(at: "base"), document.value(at: "job")) {
        case (nil, nil): throw BadInput("\(path): base: (a job file) or job: (the job inline) is required")
        case (.some, .some): throw BadInput("\(path): give either base: or job:, not both")
        case (.some(.string(let base)), nil):
            let beside = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(base).path
            let basePath = base.hasPrefix("/") || FileManager.default.fileExists(atPath: base) ? base : beside
            guard case .map(let entries) = document else { throw BadInput("\(path): expected a mapping") }
            let job = try YAMLDocument.load(path: basePath)
            document = .map(entries.map { $0.key == "base" ? (key: "job", value: job) : $0 })
        case (.some(let other), nil):
            throw BadInput("\(path): base: expected a job file path, found \(other.typeDescription)")
        case (nil, .some): break
        }
        return try SweepDefinition(document: document, origin: path)
    }
}
