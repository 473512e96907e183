import Foundation
import ModelPackage
import TrackingStore

/// Finding and opening model packages for `predict`, `models export` and `serve`: a registry
/// reference (NAME@ALIAS, NAME/VERSION, models:/…) or a package directory.
package enum ModelPackages {
    /// A resolved package: where it is, what the registry says about it (nil for a directory).
    package struct Resolved {
        package let directory: URL
        package let record: ModelVersionRecord?
        package let package: PackagedModel

        /// `NAME/VERSION`, or the directory for an unregistered package.
        package var label: String { record.map { "\($0.model)/\($0.version)" } ?? directory.path }
    }

    /// Resolves `reference` and loads the package, checking a registered one against the digest
    /// the registry recorded (a changed or damaged package is refused, naming the file).
    package static func open(_ reference: String, home: TrainyardHome) throws -> Resolved {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: reference, isDirectory: &isDirectory), isDirectory.boolValue {
            let directory = URL(fileURLWithPath: reference, isDirectory: true)
            return Resolved(directory: directory, record: nil, package: try load(directory))
        }
        let store = try TrackingAccess.open(home)
        let record = try TrackingAccess.mapErrors { try store.resolveModel(reference) }
        let directory = home.root.appendingPathComponent(record.packagePath, isDirectory: true)
        let digest: String
        do {
            digest = try TrainingSession.packageDigest(directory)
        } catch {
            throw WorkFailed(
                "model \(record.model)/\(record.version): its package at \(directory.path) is missing or unreadable (\(error))"
            )
        }
        guard digest == record.packageDigest else {
            throw WorkFailed(
                "model \(record.model)/\(record.version): the package at \(directory.path) does not match the digest the registry recorded (\(record.packageDigest.prefix(12)) vs \(digest.prefix(12))); it was changed or damaged"
            )
        }
        return Resolved(directory: directory, record: record, package: try load(directory))
    }

    /// Copies the package files of `resolved` into `directory` (created if missing; each file
    /// replaced atomically); `reference` names the model when the package is not registered.
    package static func export(_ resolved: Resolved, to directory: URL, reference: String) throws -> ModelExportReport {
        var names: [String] = []
        for source in PackagedModel.files(in: resolved.directory) {
            guard let data = FileManager.default.contents(atPath: source.path) else {
                throw WorkFailed("cannot read \(source.path)")
            }
            do {
                try AtomicFile.write([UInt8](data), to: directory.appendingPathComponent(source.lastPathComponent))
            } catch {
                throw WorkFailed("cannot write into \(directory.path): \(error)")
            }
            names.append(source.lastPathComponent)
        }
        return ModelExportReport(
            model: resolved.record?.model ?? reference, version: resolved.record?.version, directory: directory.path,
            files: names, label: resolved.label)
    }

    private static func load(_ directory: URL) throws -> PackagedModel {
        do {
            return try PackagedModel.load(directory: directory)
        } catch let error as PackageFileError {
            throw BadInput("model package \(error)")
        }
    }
}
