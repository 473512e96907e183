import GradientCore

/// A training job, as written in a job file (every key and default in docs/CONFIG.md).
///
/// Build one with ``init(from:)`` from a ``ConfigValue`` tree; every key except `data.dataset`,
/// `data.label` and `model.kind` has a default. Encodes to JSON with the same snake_case keys,
/// which is the resolved config recorded on a run.
public struct JobConfig: Sendable, Equatable, Codable {
    public var experiment: String
    public var name: String?
    public var data: JobConfig.Data
    public var model: JobConfig.Model
    /// `optimizer:` — the update rule (GradientCore's settings type, validated there).
    public var optimizer: OptimizerConfig
    public var schedule: JobConfig.Schedule
    public var training: JobConfig.Training
    public var cluster: JobConfig.Cluster
    public var checkpoint: JobConfig.Checkpoint
    public var register: JobConfig.Register?
}

extension JobConfig {
    /// `data:` — which dataset, which column is the label, how validation data is chosen.
    public struct Data: Sendable, Equatable, Codable {
        /// NAME, NAME@VERSION or a file path (imported first).
        public var dataset: String
        public var label: String
        /// A held-out fraction of the dataset, or another dataset reference.
        public var validation: JobConfig.ValidationSource
        /// Fitted on the training split only: standardize, minmax, impute_mean, impute_median.
        public var transforms: [String]
        /// Stratify the validation split by class (classifiers only).
        public var stratify: Bool
    }

    /// Where validation rows come from.
    public enum ValidationSource: Sendable, Equatable, Codable {
        case fraction(Double)
        case dataset(String)

        public init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let f = try? c.decode(Double.self) { self = .fraction(f) } else { self = .dataset(try c.decode(String.self)) }
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .fraction(let f): try c.encode(f)
            case .dataset(let d): try c.encode(d)
            }
        }
    }

    /// `model:` — the architecture.
    public struct Model: Sendable, Equatable, Codable {
        public enum Kind: String, Sendable, Codable, CaseIterable { case linear, logistic, softmax, mlp }
        public typealias Activation = ModelSpec.Activation
        public var kind: Kind
        /// Hidden layer widths (mlp only).
        public var hidden: [Int]
        public var activation: Activation
    }

    /// `schedule:` — the learning rate as a function of the step.
    public struct Schedule: Sendable, Equatable, Codable {
        public typealias Kind = LearningRateSchedule.Kind
        public var kind: Kind
        public var warmupSteps: Int
        /// step: multiply by `gamma` every `stepSize` steps.
        public var stepSize: Int
        public var gamma: Double
        /// cosine: the final learning rate as a fraction of `lr`.
        public var minLRFraction: Double

        enum CodingKeys: String, CodingKey {
            case kind, gamma
            case warmupSteps = "warmup_steps"
            case stepSize = "step_size"
            case minLRFraction = "min_lr_fraction"
        }
    }

    /// `training:` — epochs, batch, seed and the parallel mode.
    public struct Training: Sendable, Equatable, Codable {
        public enum Mode: String, Sendable, Codable, CaseIterable {
            case sync
            case async
            case localSGD = "local_sgd"
        }
        public var epochs: Int
        /// The global batch, split across workers.
        public var batchSize: Int
        public var seed: Int
        public var mode: Mode
        /// Micro-shards per global batch: the unit of work whose sums are added along a fixed tree,
        /// which makes the result independent of the worker count.
        public var microShards: Int
        /// async: reject gradients computed on parameters more than this many versions old.
        public var maxStaleness: Int
        /// local_sgd: local steps between parameter averages.
        public var localSteps: Int
        /// Evaluate every K steps; nil evaluates once per epoch.
        public var evalEverySteps: Int?
        /// Threads each worker uses for its gradient computation.
        public var threadsPerWorker: Int

        enum CodingKeys: String, CodingKey {
            case epochs, seed, mode
            case batchSize = "batch_size"
            case microShards = "micro_shards"
            case maxStaleness = "max_staleness"
            case localSteps = "local_steps"
            case evalEverySteps = "eval_every_steps"
            case threadsPerWorker = "threads_per_worker"
        }
    }

    /// `cluster:` — membership and failure handling.
    public struct Cluster: Sendable, Equatable, Codable {
        public enum StragglerPolicy: String, Sendable, Codable, CaseIterable { case report, reassign }
        /// Seconds between heartbeats, both ways.
        public var heartbeatInterval: Double
        /// Seconds without a heartbeat after which a worker is removed.
        public var heartbeatTimeout: Double
        /// Below this many workers the coordinator pauses (and says so) instead of training.
        public var minWorkers: Int
        public var stragglerPolicy: StragglerPolicy
        /// A worker slower than this multiple of the median step time is a straggler.
        public var stragglerFactor: Double
        /// Seconds a worker keeps retrying an unreachable coordinator before it exits.
        public var workerGiveUpAfter: Double

        enum CodingKeys: String, CodingKey {
            case heartbeatInterval = "heartbeat_interval"
            case heartbeatTimeout = "heartbeat_timeout"
            case minWorkers = "min_workers"
            case stragglerPolicy = "straggler_policy"
            case stragglerFactor = "straggler_factor"
            case workerGiveUpAfter = "worker_give_up_after"
        }
    }

    /// `checkpoint:` — how often and how many.
    public struct Checkpoint: Sendable, Equatable, Codable {
        public var everySteps: Int
        public var keep: Int

        enum CodingKeys: String, CodingKey {
            case everySteps = "every_steps"
            case keep
        }
    }

    /// `register:` — register the final model under a name and alias.
    public struct Register: Sendable, Equatable, Codable {
        public var model: String
        public var alias: String?
    }
}
