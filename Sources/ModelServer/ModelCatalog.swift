import Foundation
import ModelPackage

/// Which registered version a served reference names right now.
package struct ModelLocation: Sendable, Equatable {
    /// The model name clients use in URLs.
    package var name: String
    package var version: Int
    package init(name: String, version: Int) {
        self.name = name
        self.version = version
    }
}

/// Where served models come from: the CLI implements it over the registry (an alias may move)
/// or over a package directory (it never moves).
package protocol ModelSource: Sendable {
    /// The version `reference` names now: a cheap lookup, asked every reload interval.
    func locate(_ reference: String) throws -> ModelLocation
    /// The package of a located version, checked (digest, structure).
    func load(_ reference: String, at location: ModelLocation) throws -> PackagedModel
}

/// A loaded model version with everything a request needs: predictor, encoder, drift window.
package final class ServedModel: Sendable {
    package let location: ModelLocation
    package let package: PackagedModel
    let predictor: Predictor
    let encoder: InputEncoder
    let drift: DriftMonitor
    /// This version's per-request metric series, made on its first request (``ServerMetrics/series(_:)``).
    let metricSeries = SeriesSlot()

    init(location: ModelLocation, package: PackagedModel, drift: DriftMonitor.Settings) throws {
        self.location = location
        self.package = package
        predictor = try package.predictor()
        encoder = InputEncoder(schema: package.manifest.input)
        self.drift = DriftMonitor(model: location, manifest: package.manifest, settings: drift)
    }

    /// The version as URLs and responses spell it.
    var versionText: String { String(location.version) }
    var featureCount: Int { package.manifest.input.featureCount }
    var isClassifier: Bool { package.manifest.task == .classification }

    /// The output tensors this model produces: class probabilities and labels, or the value.
    var outputNames: [String] { isClassifier ? ["probabilities", "label"] : ["prediction"] }
}

/// The models being served, by name: one current version each. Lookups take a lock for a
/// dictionary read; a reload swaps the entry, and requests already holding the old version
/// finish with it, so an alias move fails no request.
package final class ModelCatalog: @unchecked Sendable {
    private let lock = NSLock()
    private var models: [String: ServedModel] = [:]
    /// The reference each name is served from.
    private var references: [String: String] = [:]
    let source: any ModelSource
    let driftSettings: DriftMonitor.Settings

    /// Loads every reference once; fails if any cannot be served (or two name the same model).
    package init(references list: [String], source: any ModelSource, drift: DriftMonitor.Settings) throws {
        self.source = source
        driftSettings = drift
        for reference in list {
            let location = try source.locate(reference)
            guard references[location.name] == nil else {
                throw InferenceError(
                    400,
                    "\(reference) and \(references[location.name]!) both name model \(location.name); serve one version per model"
                )
            }
            models[location.name] = try ServedModel(
                location: location, package: try source.load(reference, at: location),
                drift: drift)
            references[location.name] = reference
        }
    }

    /// The served version of `name`, if any.
    package func model(_ name: String) -> ServedModel? {
        lock.withLock { models[name] }
    }

    /// Every served model, by name.
    package var all: [ServedModel] {
        lock.withLock { models.values.sorted { $0.location.name < $1.location.name } }
    }

    /// A reload event, for the log.
    package enum Change: Sendable {
        case switched(name: String, from: Int, to: Int)
        case failed(name: String, reference: String, error: String)
    }

    /// Re-resolves every reference; loads and switches to versions that changed. Loading happens
    /// outside the lock; the switch itself is one dictionary write.
    package func reload() -> [Change] {
        let current = lock.withLock { references }
        var changes: [Change] = []
        for (name, reference) in current.sorted(by: { $0.key < $1.key }) {
            do {
                let location = try source.locate(reference)
                guard let served = model(name), served.location != location else { continue }
                let loaded = try ServedModel(
                    location: location, package: try source.load(reference, at: location),
                    drift: driftSettings)
                lock.withLock { models[name] = loaded }
                changes.append(.switched(name: name, from: served.location.version, to: location.version))
            } catch {
                changes.append(.failed(name: name, reference: reference, error: "\(error)"))
            }
        }
        return changes
    }
}
