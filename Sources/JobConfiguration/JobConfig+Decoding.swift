import GradientCore

extension JobConfig {
    /// Validates and decodes a job document.
    /// - Throws: ``ConfigError`` naming the first unknown key, missing required key, value of the
    ///   wrong type or value out of range, by its dotted path.
    package init(from document: ConfigValue) throws(ConfigError) {
        var root = try ConfigSection(document, path: "")
        experiment = try root.string("experiment") ?? "default"
        name = try root.string("name")
        data = try JobConfig.Data(try root.section("data"))
        model = try JobConfig.Model(try root.section("model"))
        optimizer = try OptimizerConfig(try root.section("optimizer"))
        schedule = try JobConfig.Schedule(try root.section("schedule"))
        training = try JobConfig.Training(try root.section("training"))
        cluster = try JobConfig.Cluster(try root.section("cluster"))
        checkpoint = try JobConfig.Checkpoint(try root.section("checkpoint"))
        if root.has("register") {
            register = try JobConfig.Register(try root.section("register"))
        } else {
            _ = root.raw("register")
            register = nil
        }
        try root.finish()
        try validateCombination()
    }

    private func validateCombination() throws(ConfigError) {
        if model.kind != .mlp && !model.hidden.isEmpty && model.hidden != JobConfig.Model.defaultHidden {
            throw ConfigError.invalidValue(
                path: "model.hidden", message: "applies to kind mlp only (kind is \(model.kind.rawValue))")
        }
        if training.microShards > training.batchSize {
            throw ConfigError.invalidValue(
                path: "training.micro_shards",
                message: "must not exceed training.batch_size (\(training.batchSize)), found \(training.microShards)")
        }
        if cluster.heartbeatTimeout <= cluster.heartbeatInterval {
            throw ConfigError.invalidValue(
                path: "cluster.heartbeat_timeout",
                message: "must be longer than cluster.heartbeat_interval (\(cluster.heartbeatInterval)s)")
        }
    }
}

extension JobConfig.Data {
    static let knownTransforms: Set<String> = ["standardize", "minmax", "impute_mean", "impute_median"]

    init(_ s: ConfigSection) throws(ConfigError) {
        var s = s
        dataset = try s.requiredString("dataset")
        label = try s.requiredString("label")
        if let raw = s.raw("validation") {
            switch raw {
            case .double(let f):
                guard f >= 0 && f < 1 else {
                    throw ConfigError.invalidValue(
                        path: s.key("validation"), message: "fraction must be in [0, 1), found \(f)")
                }
                validation = .fraction(f)
            case .int(0): validation = .fraction(0)
            case .string(let ref): validation = .dataset(ref)
            default:
                throw ConfigError.wrongType(
                    path: s.key("validation"), expected: "a fraction in [0, 1) or a dataset reference",
                    found: raw.typeDescription)
            }
        } else {
            validation = .fraction(0.2)
        }
        transforms = try s.stringList("transforms", default: [])
        for (i, t) in transforms.enumerated() where !Self.knownTransforms.contains(t) {
            throw ConfigError.invalidValue(
                path: "\(s.key("transforms"))[\(i)]",
                message: "must be one of \(Self.knownTransforms.sorted().joined(separator: " | ")), found \"\(t)\"")
        }
        stratify = try s.bool("stratify", default: true)
        try s.finish()
    }
}

extension JobConfig.Model {
    static let defaultHidden = [128]

    init(_ s: ConfigSection) throws(ConfigError) {
        var s = s
        kind = try s.choice("kind", default: nil)
        hidden = try s.intList("hidden", default: kind == .mlp ? Self.defaultHidden : [], min: 1)
        if kind == .mlp && hidden.isEmpty {
            throw ConfigError.invalidValue(path: s.key("hidden"), message: "must list at least one layer width for mlp")
        }
        activation = try s.choice("activation", default: .relu)
        try s.finish()
    }
}

extension OptimizerConfig {
    /// Reads `optimizer:`; the ranges are ``OptimizerConfig/violation``'s, reported by key.
    init(_ s: ConfigSection) throws(ConfigError) {
        var s = s
        let kind: Kind = try s.choice("kind", default: .sgd)
        let defaults = OptimizerConfig()
        self.init(
            kind: kind,
            learningRate: Float(try s.double("lr", default: Double(Self.defaultLearningRate(for: kind)))),
            momentum: Float(try s.double("momentum", default: 0)), nesterov: try s.bool("nesterov", default: false),
            weightDecay: Float(try s.double("weight_decay", default: kind == .adamw ? 0.01 : 0)),
            beta1: Float(try s.double("beta1", default: Double(defaults.beta1))),
            beta2: Float(try s.double("beta2", default: Double(defaults.beta2))),
            epsilon: Float(try s.double("epsilon", default: Double(defaults.epsilon))),
            clipNorm: try s.optionalDouble("clip_norm").map(Float.init))
        try s.finish()
        if let (key, message) = violation { throw ConfigError.invalidValue(path: s.key(key), message: message) }
    }
}

extension JobConfig.Schedule {
    init(_ s: ConfigSection) throws(ConfigError) {
        var s = s
        kind = try s.choice("kind", default: .constant)
        warmupSteps = try s.int("warmup_steps", default: 0, min: 0)
        stepSize = try s.int("step_size", default: 1000, min: 1)
        gamma = try s.double("gamma", default: 0.1, min: 0, max: 1, exclusiveMin: true)
        minLRFraction = try s.double("min_lr_fraction", default: 0, min: 0, max: 1)
        try s.finish()
    }
}

extension JobConfig.Training {
    /// One micro-shard per 64 examples of the global batch, between 1 and 16: enough leaves to
    /// spread over 16 workers, big enough that each is an efficient matrix product.
    package static func defaultMicroShards(batchSize: Int) -> Int { min(16, max(1, batchSize / 64)) }

    /// The most local steps a round may have; equal to the wire's `WireConstants.maxLocalSteps`
    /// (a test holds them together), so every valid job fits in a work assignment.
    package static let maxLocalSteps = 1_000_000

    init(_ s: ConfigSection) throws(ConfigError) {
        var s = s
        epochs = try s.int("epochs", default: 10, min: 1, max: 1_000_000)
        batchSize = try s.int("batch_size", default: 256, min: 1, max: 1 << 24)
        seed = try s.int("seed", default: 0, min: 0)
        mode = try s.choice("mode", default: .sync)
        microShards = try s.int(
            "micro_shards", default: Self.defaultMicroShards(batchSize: batchSize), min: 1, max: 4096)
        maxStaleness = try s.int("max_staleness", default: 4, min: 0)
        localSteps = try s.int("local_steps", default: 8, min: 1, max: Self.maxLocalSteps)
        evalEverySteps = try s.optionalInt("eval_every_steps", min: 1)
        threadsPerWorker = try s.int("threads_per_worker", default: 1, min: 1, max: 256)
        try s.finish()
    }
}

extension JobConfig.Cluster {
    init(_ s: ConfigSection) throws(ConfigError) {
        var s = s
        heartbeatInterval = try s.double("heartbeat_interval", default: 0.5, min: 0.01)
        heartbeatTimeout = try s.double("heartbeat_timeout", default: 5, min: 0.05)
        minWorkers = try s.int("min_workers", default: 1, min: 1)
        stragglerPolicy = try s.choice("straggler_policy", default: .report)
        stragglerFactor = try s.double("straggler_factor", default: 3, min: 1, exclusiveMin: true)
        workerGiveUpAfter = try s.double("worker_give_up_after", default: 30, min: 0.1)
        try s.finish()
    }
}

extension JobConfig.Checkpoint {
    init(_ s: ConfigSection) throws(ConfigError) {
        var s = s
        everySteps = try s.int("every_steps", default: 200, min: 1)
        keep = try s.int("keep", default: 3, min: 1)
        try s.finish()
    }
}

extension JobConfig.Register {
    init(_ s: ConfigSection) throws(ConfigError) {
        var s = s
        model = try s.requiredString("model")
        alias = try s.string("alias")
        try s.finish()
    }
}
