import GradientCore

/// Everything a worker needs to compute gradients for a job, sent as JSON in the `accept`
/// message (its SHA-256 is the accept's config digest).
package struct WorkerJobSpec: Codable, Sendable, Equatable {
    /// The model architecture.
    package var model: ModelSpec
    /// The dataset version (64 hex), opened from the worker's dataset store.
    package var datasetDigest: String
    /// How the training rows are chosen and ordered; see ``TrainingSplit``.
    package var split: TrainingSplit
    /// Fitted transforms as JSON (the Datasets module's format), applied to every example.
    package var transformsJSON: String?
    /// Gradient threads per worker.
    package var threads: Int
    /// The TCP port of the coordinator's parameter broadcast (PUB) socket, on the control host.
    package var broadcastPort: Int
    /// The coordinator's shared-memory parameter segment: a worker on the coordinator's host that
    /// can map it reads parameters from it and offers a gradient segment (nil: sockets only).
    package var sharedParameters: String?
    /// The job's optimizer and learning-rate schedule, which workers apply themselves in local SGD.
    package var optimizer: OptimizerConfig?
    package var learningRate: LearningRateSchedule?

    package init(
        model: ModelSpec, datasetDigest: String, split: TrainingSplit, transformsJSON: String?,
        threads: Int, broadcastPort: Int, optimizer: OptimizerConfig? = nil,
        learningRate: LearningRateSchedule? = nil, sharedParameters: String? = nil
    ) {
        self.sharedParameters = sharedParameters
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.model = model
        self.datasetDigest = datasetDigest
        self.split = split
        self.transformsJSON = transformsJSON
        self.threads = threads
        self.broadcastPort = broadcastPort
    }

    /// The update rule for local-SGD rounds, when the job sent one.
    package var localUpdate: LocalUpdateRule? {
        guard let optimizer, let learningRate else { return nil }
        return LocalUpdateRule(optimizer: optimizer, learningRate: learningRate)
    }
}

/// Which rows of the dataset are training rows, and the seed of each epoch's order.
package struct TrainingSplit: Codable, Sendable, Equatable {
    package var seed: UInt64
    package var validationFraction: Double
    package var stratify: Bool

    package init(seed: UInt64, validationFraction: Double, stratify: Bool) {
        self.seed = seed
        self.validationFraction = validationFraction
        self.stratify = stratify
    }
}
