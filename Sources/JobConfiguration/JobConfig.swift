import GradientCore

/// A training job, as written in a job file (every key and default in docs/CONFIG.md).
///
/// Build one with ``init(from:)`` from a ``ConfigValue`` tree; every key except `data.dataset`,
/// `data.label` and `model.kind` has a default. Encodes to JSON with the same snake_case keys,
/// which is the resolved config recorded on a run.
package struct JobConfig: Sendable, Equatable, Codable {
    package var experiment: String
    package var name: String?
    package var data: JobConfig.Data
    package var model: JobConfig.Model
    /// `optimizer:` — the update rule (GradientCore's settings type, validated there).
    package var optimizer: OptimizerConfig
    package var schedule: JobConfig.Schedule
    package var training: JobConfig.Training
    package var cluster: JobConfig.Cluster
    package var checkpoint: JobConfig.Checkpoint
    package var register: JobConfig.Register?
}

extension JobConfig {
    /// `data:` — which dataset, which column is the label, how validation data is chosen.
    package struct Data: Sendable, Equatable, Codable {
        /// NAME, NAME@VERSION or a file path (imported first).
        package var dataset: String
        package var label: String
        /// A held-out fraction of the dataset, or another dataset reference.
        package var validation: JobConfig.ValidationSource
        /// Fitted on the training split only: standardize, minmax, impute_mean, impute_median.
        package var transforms: [String]
        /// Stratify the validation split by class (classifiers only).
        package var stratify: Bool
    }

    /// Where validation rows come from.
    package enum ValidationSource: Sendable, Equatable, Codable {
        case fraction(Double)
        case dataset(String)

        package init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let f = try? c.decode(Double.self) {
                self = .fraction(f)
            } else {
                self = .dataset(try c.decode(String.self))
            }
        }

        package func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .fraction(let f): try c.encode(f)
            case .dataset(let d): try c.encode(d)
            }
        }
    }

    /// `model:` — the architecture.
    package struct Model: Sendable, Equatable, Codable {
        package enum Kind: String, Sendable, Codable, CaseIterable { case linear, logistic, softmax, mlp }
        package typealias Activation = ModelSpec.Activation
        package var kind: Kind
        /// Hidden layer widths (mlp only).
        package var hidden: [Int]
        package var activation: Activation
    }

    /// `schedule:` — the learning rate as a function of the step.
    package struct Schedule: Sendable, Equatable, Codable {
        package typealias Kind = LearningRateSchedule.Kind
        package var kind: Kind
        package var warmupSteps: Int
        /// step: multiply by `gamma` every `stepSize` steps.
        package var stepSize: Int
        package var gamma: Double
        /// cosine: the final learning rate as a fraction of `lr`.
        package var minLRFraction: Double

        enum CodingKeys: String, CodingKey {
            case kind, gamma
            case warmupSteps = "warmup_steps"
            case stepSize = "step_size"
            case minLRFraction = "min_lr_fraction"
        }
    }

    /// `training:` — epochs, batch, seed and the parallel mode.
    package struct Training: Sendable, Equatable, Codable {
        package enum Mode: String, Sendable, Codable, CaseIterable {
            case sync
            case async
            case localSGD = "local_sgd"
        }
        package var epochs: Int
        /// The global batch, split across workers.
        package var batchSize: Int
        package var seed: Int
        package var mode: Mode
        /// Micro-shards per global batch: the unit of work whose sums are added along a fixed tree,
        /// which makes the result independent of the worker count.
        package var microShards: Int
        /// async: reject gradients computed on parameters more than this many versions old.
        package var maxStaleness: Int
        /// local_sgd: local steps between parameter averages.
        package var localSteps: Int
        /// Evaluate every K steps; nil evaluates once per epoch.
        package var evalEverySteps: Int?
        /// Threads each worker uses for its gradient computation.
        package var threadsPerWorker: Int

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
    package struct Cluster: Sendable, Equatable, Codable {
        package enum StragglerPolicy: String, Sendable, Codable, CaseIterable { case report, reassign }
        /// Seconds between heartbeats, both ways.
        package var heartbeatInterval: Double
        /// Seconds without a heartbeat after which a worker is removed.
        package var heartbeatTimeout: Double
        /// Below this many workers the coordinator pauses (and says so) instead of training.
        package var minWorkers: Int
        package var stragglerPolicy: StragglerPolicy
        /// A worker slower than this multiple of the median step time is a straggler.
        package var stragglerFactor: Double
        /// Seconds a worker keeps retrying an unreachable coordinator before it exits.
        package var workerGiveUpAfter: Double

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
    package struct Checkpoint: Sendable, Equatable, Codable {
        package var everySteps: Int
        package var keep: Int

        enum CodingKeys: String, CodingKey {
            case everySteps = "every_steps"
            case keep
        }
    }

    /// `register:` — register the final model under a name and alias.
    package struct Register: Sendable, Equatable, Codable {
        package var model: String
        package var alias: String?
    }
}
