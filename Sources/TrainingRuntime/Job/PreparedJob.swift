import Datasets
import Foundation
import GradientCore
import JobConfiguration

/// A job made concrete against its data: the split, the fitted transforms, the model spec and
/// the optimizer, all derived deterministically from the config and the dataset version.
package struct PreparedJob: Sendable {
    package let config: JobConfig
    package let version: DatasetVersion
    package let split: DatasetSplit
    package let transforms: FittedTransforms?
    package let model: ModelSpec
    package let optimizer: GradientCore.OptimizerConfig
    package let learningRate: LearningRateSchedule
    package let batches: BatchSchedule
    /// Validation examples (transformed); empty when the validation fraction is 0.
    package let validation: (features: [Float], labels: [Float])
    /// The class names of a classifier's labels (index = stored label value), if any.
    package let classNames: [String]?

    /// Total optimizer steps of the job.
    package var totalSteps: Int { config.training.epochs * batches.stepsPerEpoch }

    /// The seed as the unsigned value every derivation uses.
    package var seed: UInt64 { UInt64(config.training.seed) }

    /// What workers need, except the broadcast port and the shared-memory segment (known once the
    /// coordinator has bound and created them).
    package func workerSpec(broadcastPort: Int, sharedParameters: String? = nil) throws -> WorkerJobSpec {
        let transformsJSON = try transforms.map { String(decoding: try $0.jsonData(), as: UTF8.self) }
        return WorkerJobSpec(
            model: model, datasetDigest: version.digest,
            split: TrainingSplit(seed: seed, validationFraction: validationFraction, stratify: stratified),
            transformsJSON: transformsJSON, threads: config.training.threadsPerWorker, broadcastPort: broadcastPort,
            optimizer: optimizer, learningRate: learningRate, sharedParameters: sharedParameters)
    }

    var validationFraction: Double {
        if case .fraction(let f) = config.data.validation { return f }
        return 0
    }

    var stratified: Bool { config.data.stratify && (version.schema.label?.task == .classification) }

    /// The training examples for workers (and the coordinator) in each epoch's order.
    package func trainingExamples() -> DatasetExamples {
        DatasetExamples(version: version, rows: split.train, transforms: transforms, seed: seed)
    }
}

/// Why a job cannot run on the given data.
package struct JobPreparationError: Error, CustomStringConvertible, Equatable, Sendable {
    package let description: String
    init(_ description: String) { self.description = description }
}

extension PreparedJob {
    /// Splits the data, fits the transforms on the training split only, and builds the model and
    /// optimizer from `config`.
    /// - Parameter validationVersion: the dataset named by `data.validation`, when it is a reference.
    /// - Throws: ``JobPreparationError`` naming the mismatch (label column, task vs model kind,
    ///   too few rows), ``DatasetError`` for bad split fractions.
    package static func prepare(
        config: JobConfig, version: DatasetVersion,
        validationVersion: DatasetVersion? = nil
    ) throws -> PreparedJob {
        guard let label = version.schema.label else {
            throw JobPreparationError(
                "dataset \(version.digest.prefix(12)) has no label column; import it with --label")
        }
        guard label.column == config.data.label else {
            throw JobPreparationError(
                "data.label is '\(config.data.label)' but dataset \(version.digest.prefix(12)) was imported with label '\(label.column)'"
            )
        }
        let spec = try modelSpec(config.model, inputs: version.featureCount, label: label)
        let seed = UInt64(config.training.seed)
        let fraction: Double
        if case .fraction(let f) = config.data.validation { fraction = f } else { fraction = 0 }
        let stratify = config.data.stratify && label.task == .classification && fraction > 0
        let split = try DatasetSplit.make(
            rowCount: version.rowCount, validation: fraction, seed: seed,
            stratifyBy: stratify ? version.labels() : nil)
        guard !split.train.isEmpty else {
            throw JobPreparationError(
                "dataset \(version.digest.prefix(12)) leaves no training rows after the validation split")
        }
        let specs = try config.data.transforms.map { try TransformSpec(parsing: $0) }
        let transforms = specs.isEmpty ? nil : FittedTransforms.fit(specs, version: version, rows: split.train)

        var validation: (features: [Float], labels: [Float])
        if let validationVersion {
            guard validationVersion.featureCount == version.featureCount else {
                throw JobPreparationError(
                    "validation dataset has \(validationVersion.featureCount) features, training dataset \(version.featureCount)"
                )
            }
            validation = DatasetExamples.materialize(
                validationVersion, rows: Array(0..<validationVersion.rowCount),
                transforms: transforms)
        } else {
            validation = DatasetExamples.materialize(version, rows: split.validation, transforms: transforms)
        }

        let optimizer = config.optimizer
        try optimizer.validate()
        let batches = BatchSchedule(
            rows: split.train.count, batchSize: config.training.batchSize,
            microShards: config.training.microShards)
        let s = config.schedule
        let schedule = LearningRateSchedule(
            kind: s.kind, base: optimizer.learningRate, warmupSteps: s.warmupSteps,
            stepSize: s.stepSize, gamma: Float(s.gamma), totalSteps: config.training.epochs * batches.stepsPerEpoch,
            minimumRate: Float(s.minLRFraction) * optimizer.learningRate)
        try schedule.validate()
        return PreparedJob(
            config: config, version: version, split: split, transforms: transforms, model: spec,
            optimizer: optimizer, learningRate: schedule, batches: batches, validation: validation,
            classNames: label.classNames)
    }

    /// The model for the config's kind, sized to the data; checks the kind fits the task.
    static func modelSpec(_ m: JobConfig.Model, inputs: Int, label: LabelSchema) throws -> ModelSpec {
        let classes = label.classNames?.count ?? 0
        let activation = m.activation
        switch m.kind {
        case .linear:
            guard label.task == .regression else {
                throw JobPreparationError(
                    "model.kind linear needs a regression label; '\(label.column)' is a classification label (use logistic or softmax)"
                )
            }
            return ModelSpec(kind: .linear, inputs: inputs)
        case .logistic:
            guard label.task == .classification, classes == 2 else {
                throw JobPreparationError(
                    "model.kind logistic needs a two-class label; '\(label.column)' has \(label.task == .classification ? "\(classes) classes" : "regression targets") (use softmax for more classes)"
                )
            }
            return ModelSpec(kind: .logistic, inputs: inputs)
        case .softmax:
            guard label.task == .classification, classes >= 2 else {
                throw JobPreparationError(
                    "model.kind softmax needs a classification label; '\(label.column)' is a regression target (use linear)"
                )
            }
            return ModelSpec(kind: .softmax, inputs: inputs, outputs: classes)
        case .mlp:
            if label.task == .classification {
                return ModelSpec(
                    kind: .mlp, inputs: inputs, outputs: max(classes, 2), hidden: m.hidden, activation: activation,
                    head: .softmax)
            }
            return ModelSpec(
                kind: .mlp, inputs: inputs, outputs: 1, hidden: m.hidden, activation: activation, head: .linear)
        }
    }
}
