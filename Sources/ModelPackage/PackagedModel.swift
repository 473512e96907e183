import Foundation
import GradientCore

/// A model package on disk: a directory with `model.json` (``ModelManifest``) and
/// `model.safetensors` (the parameters, named as in the model's layout, with an XXH64 checksum).
/// Self-contained: everything needed to score raw rows and to watch them for drift.
package struct PackagedModel: Sendable {
    package static let weightsFileName = "model.safetensors"

    package let manifest: ModelManifest
    /// The parameters in the model's flat layout order.
    package let parameters: [Float]

    package init(manifest: ModelManifest, parameters: [Float]) throws {
        guard parameters.count == manifest.parameterCount else {
            throw PackageFileError(
                path: "parameters",
                reason: "\(parameters.count) parameters, the manifest says \(manifest.parameterCount)")
        }
        self.manifest = manifest
        self.parameters = parameters
    }

    /// Reads and validates a package directory: the manifest, the weights file (structure,
    /// checksum, every tensor's shape against the architecture) and that the two agree.
    package static func load(directory: URL) throws -> PackagedModel {
        let manifestURL = directory.appendingPathComponent(ModelManifest.fileName)
        guard let json = FileManager.default.contents(atPath: manifestURL.path) else {
            throw PackageFileError(path: manifestURL.path, reason: "missing; is \(directory.path) a model package?")
        }
        let manifest: ModelManifest
        do {
            manifest = try ModelManifest(json: json)
        } catch {
            throw PackageFileError(path: manifestURL.path, reason: "\(error)")
        }
        let weightsURL = directory.appendingPathComponent(weightsFileName)
        let file: SafetensorsFile
        do {
            file = try SafetensorsFile.read(weightsURL)
        } catch let error as SafetensorsError {
            throw PackageFileError(path: weightsURL.path, reason: error.reason)
        }
        guard file.checksumVerified else {
            throw PackageFileError(path: weightsURL.path, reason: "no checksum in the metadata")
        }
        do {
            return try PackagedModel(
                manifest: manifest, parameters: try file.parameters(layout: manifest.architecture.layout()))
        } catch let error as SafetensorsError {
            throw PackageFileError(path: weightsURL.path, reason: error.reason)
        }
    }

    /// Writes the package into `directory` (created if missing): the weights first, then the
    /// manifest, each atomically; a reader that finds `model.json` finds matching weights.
    package func write(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let metadata = [
            "format": ModelManifest.formatIdentifier,
            "model": String(decoding: try encoder.encode(manifest.architecture), as: UTF8.self),
            "run_id": manifest.lineage.runID,
        ]
        try SafetensorsWriter.write(
            NamedTensor.parameters(parameters, layout: manifest.architecture.layout()),
            metadata: metadata, to: directory.appendingPathComponent(Self.weightsFileName))
        try AtomicFile.write(
            [UInt8](try manifest.jsonData()), to: directory.appendingPathComponent(ModelManifest.fileName))
    }

    /// The package's two files, manifest first: what a package digest is computed over.
    package static func files(in directory: URL) -> [URL] {
        [directory.appendingPathComponent(ModelManifest.fileName), directory.appendingPathComponent(weightsFileName)]
    }

    /// A predictor for raw rows (transforms applied).
    package func predictor() throws -> Predictor {
        try Predictor(manifest: manifest, parameters: parameters)
    }
}

/// A package file that cannot be used, and why.
package struct PackageFileError: Error, CustomStringConvertible, Sendable {
    package let path: String
    package let reason: String
    package init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    package var description: String { "\(path): \(reason)" }
}
