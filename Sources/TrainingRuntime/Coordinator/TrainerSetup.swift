import GradientCore
import JobConfiguration
import TrainingProtocol

/// What a coordinator state machine needs to know about the job, whatever its mode.
public struct TrainerSetup: Sendable {
    public var jobID: JobID
    public var model: Model
    public var schedule: BatchSchedule
    public var epochs: Int
    public var optimizer: GradientCore.OptimizerConfig
    public var learningRate: LearningRateSchedule
    public var heartbeatInterval: Double
    public var heartbeatTimeout: Double
    public var minWorkers: Int
    public var datasetDigest: ContentDigest
    /// Sent to every accepted worker: everything it needs to compute gradients.
    public var jobConfiguration: String
    public var configDigest: ContentDigest
    /// async: results computed more than this many versions ago are rejected.
    public var maxStaleness = 4
    /// local_sgd: global batches (local steps) per round.
    public var localSteps = 8
    /// sync and local_sgd: what to do about a worker far slower than the median.
    public var stragglerPolicy = JobConfig.Cluster.StragglerPolicy.report
    /// A worker whose share takes longer than this multiple of the median is a straggler.
    public var stragglerFactor = 3.0
    /// Threads for the coordinator's elementwise work on models of millions of parameters (the
    /// tree sum, the optimizer); the same bits for any count. In sync mode the workers wait
    /// while the coordinator updates, so their cores are free.
    public var updateThreads = 1

    public init(jobID: JobID, model: Model, schedule: BatchSchedule, epochs: Int,
                optimizer: GradientCore.OptimizerConfig, learningRate: LearningRateSchedule,
                heartbeatInterval: Double, heartbeatTimeout: Double, minWorkers: Int,
                datasetDigest: ContentDigest, jobConfiguration: String, configDigest: ContentDigest) {
        self.jobID = jobID
        self.model = model
        self.schedule = schedule
        self.epochs = epochs
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.heartbeatInterval = heartbeatInterval
        self.heartbeatTimeout = heartbeatTimeout
        self.minWorkers = minWorkers
        self.datasetDigest = datasetDigest
        self.jobConfiguration = jobConfiguration
        self.configDigest = configDigest
    }

    /// Optimizer steps (global batches) of the whole job.
    public var totalSteps: Int { epochs * schedule.stepsPerEpoch }
}
