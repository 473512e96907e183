import Datasets
import Foundation
import GradientCore

/// Where a packaged model came from: the run, data, config and code that made it.
package struct ModelLineage: Sendable, Codable, Equatable {
    package var runID: String
    /// Content digest of the training dataset version.
    package var datasetDigest: String
    /// The dataset's name and version label (e.g. `digits@1a2b3c4d5e6f`), when it had one.
    package var datasetName: String?
    package var datasetVersion: String?
    /// Digest of the resolved job configuration.
    package var configDigest: String
    /// Git revision of the code that trained the model.
    package var codeRevision: String
    /// When the package was made; stored as ISO-8601 with whole seconds.
    package var createdAt: Date
    /// The optimizer step of the parameters.
    package var step: Int

    package init(
        runID: String, datasetDigest: String, datasetName: String? = nil, datasetVersion: String? = nil,
        configDigest: String, codeRevision: String, createdAt: Date, step: Int
    ) {
        self.runID = runID
        self.datasetDigest = datasetDigest
        self.datasetName = datasetName
        self.datasetVersion = datasetVersion
        self.configDigest = configDigest
        self.codeRevision = codeRevision
        self.createdAt = createdAt
        self.step = step
    }

    private enum CodingKeys: String, CodingKey {
        case runID = "run_id"
        case datasetDigest = "dataset_digest"
        case datasetName = "dataset_name"
        case datasetVersion = "dataset_version"
        case configDigest = "config_digest"
        case codeRevision = "code_revision"
        case createdAt = "created_at"
        case step
    }
}

/// `model.json`: everything besides the weights that serving a model needs, and where it came from.
///
/// Read with ``init(json:)``, which validates every cross-field constraint, so a decoded manifest
/// can be trusted by ``InputEncoder``, ``Predictor`` and drift checks.
package struct ModelManifest: Sendable, Codable, Equatable {
    /// The `format` value this version reads and writes.
    package static let formatIdentifier = "trainyard-model/1"
    /// The manifest's file name inside a package.
    package static let fileName = "model.json"

    package var format: String
    package var architecture: ModelSpec
    /// Float32 parameters in the architecture's flat layout.
    package var parameterCount: Int
    package var input: InputSchema
    /// Transforms fitted on the training split, applied to encoded rows before the model.
    package var transforms: FittedTransforms?
    package var task: TaskKind
    /// Classifiers: the class names, index = class id. Nil for regressors.
    package var labels: [String]?
    /// Raw-input statistics of the training split, the drift reference.
    package var reference: ReferenceStatistics
    /// Final metrics of the run (`val_accuracy`, `val_loss`, ...).
    package var metrics: [String: Double]
    package var lineage: ModelLineage

    /// A manifest for `architecture`; `format`, `parameter_count` and `task` follow from it.
    package init(
        architecture: ModelSpec, input: InputSchema, transforms: FittedTransforms?, labels: [String]?,
        reference: ReferenceStatistics, metrics: [String: Double], lineage: ModelLineage
    ) {
        format = Self.formatIdentifier
        self.architecture = architecture
        parameterCount = architecture.layout().count
        self.input = input
        self.transforms = transforms
        task = architecture.isClassifier ? .classification : .regression
        self.labels = labels
        self.reference = reference
        self.metrics = metrics
        self.lineage = lineage
    }

    /// A manifest for a model trained on `trainingRows` of `version`: the input schema and class
    /// names from its schema, the reference statistics from those rows.
    package init(
        architecture: ModelSpec, version: DatasetVersion, trainingRows: [Int], transforms: FittedTransforms?,
        metrics: [String: Double], lineage: ModelLineage
    ) {
        self.init(
            architecture: architecture, input: InputSchema(schema: version.schema), transforms: transforms,
            labels: architecture.isClassifier ? version.schema.label?.classNames : nil,
            reference: ReferenceStatistics.compute(version: version, rows: trainingRows), metrics: metrics,
            lineage: lineage)
    }

    /// Pretty JSON with sorted keys; non-finite metrics as the strings `nan`, `inf`, `-inf`.
    /// Throws ``ModelPackageError`` when the manifest is inconsistent (see ``validate()``).
    package func jsonData() throws -> Data {
        try validate()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// Decodes and validates `model.json`.
    /// - Throws: ``ModelPackageError/malformedManifest(detail:)`` naming the key for bad JSON,
    ///   ``ModelPackageError/unsupportedFormat(found:)``, and
    ///   ``ModelPackageError/inconsistentManifest(field:detail:)`` naming the field.
    package init(json: Data) throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            self = try decoder.decode(ModelManifest.self, from: json)
        } catch let error as ModelPackageError {
            throw error
        } catch let error as DecodingError {
            throw ModelPackageError.malformedManifest(detail: Self.describe(error))
        } catch {
            throw ModelPackageError.malformedManifest(detail: "\(error)")
        }
        try validate()
    }

    private enum CodingKeys: String, CodingKey {
        case format, architecture, input, transforms, task, labels, reference, metrics, lineage
        case parameterCount = "parameter_count"
    }

    /// Reads the format first, so a manifest of another version fails as unsupported rather than
    /// on whichever key changed.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        format = try container.decode(String.self, forKey: .format)
        guard format == Self.formatIdentifier else { throw ModelPackageError.unsupportedFormat(found: format) }
        architecture = try container.decode(ModelSpec.self, forKey: .architecture)
        parameterCount = try container.decode(Int.self, forKey: .parameterCount)
        input = try container.decode(InputSchema.self, forKey: .input)
        transforms = try container.decodeIfPresent(FittedTransforms.self, forKey: .transforms)
        task = try container.decode(TaskKind.self, forKey: .task)
        labels = try container.decodeIfPresent([String].self, forKey: .labels)
        reference = try container.decode(ReferenceStatistics.self, forKey: .reference)
        metrics = try container.decode([String: Double].self, forKey: .metrics)
        lineage = try container.decode(ModelLineage.self, forKey: .lineage)
    }

    /// `coding path: what went wrong`, e.g. `missing key "lineage.run_id"`.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String { keys.map(\.stringValue).joined(separator: ".") }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing key \"\(path(context.codingPath + [key]))\""
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let at = path(context.codingPath)
            return (at.isEmpty ? "" : "\"\(at)\": ") + context.debugDescription
        @unknown default:
            return "\(error)"
        }
    }
}
