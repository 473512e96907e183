import GradientCore
import JobConfiguration
import TrainingProtocol

/// What a coordinator state machine needs to know about the job, whatever its mode.
package struct TrainerSetup: Sendable {
    package var jobID: JobID
    package var model: Model
    package var schedule: BatchSchedule
    package var epochs: Int
    package var optimizer: GradientCore.OptimizerConfig
    package var learningRate: LearningRateSchedule
    package var heartbeatInterval: Double
    package var heartbeatTimeout: Double
    package var minWorkers: Int
    package var datasetDigest: ContentDigest
    /// Sent to every accepted worker: everything it needs to compute gradients.
    package var jobConfiguration: String
    package var configDigest: ContentDigest
    /// async: results computed more than this many versions ago are rejected.
    package var maxStaleness = 4
    /// local_sgd: global batches (local steps) per round.
    package var localSteps = 8
    /// sync and local_sgd: what to do about a worker far slower than the median.
    package var stragglerPolicy = JobConfig.Cluster.StragglerPolicy.report
    /// A worker whose share takes longer than this multiple of the median is a straggler.
    package var stragglerFactor = 3.0
    /// Threads for the coordinator's elementwise work on models of millions of parameters (the
    /// tree sum, the optimizer); the same bits for any count. In sync mode the workers wait
    /// while the coordinator updates, so their cores are free.
    package var updateThreads = 1

    package init(
        jobID: JobID, model: Model, schedule: BatchSchedule, epochs: Int,
        optimizer: GradientCore.OptimizerConfig, learningRate: LearningRateSchedule,
        heartbeatInterval: Double, heartbeatTimeout: Double, minWorkers: Int,
        datasetDigest: ContentDigest, jobConfiguration: String, configDigest: ContentDigest
    ) {
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
    package var totalSteps: Int { epochs * schedule.stepsPerEpoch }
}
