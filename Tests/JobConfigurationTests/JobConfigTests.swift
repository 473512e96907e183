import GradientCore
import Testing
import TrainingProtocol

@testable import JobConfiguration

/// Builds a ConfigValue mapping from nested literal pairs.
private func map(_ entries: (String, ConfigValue)...) -> ConfigValue {
    .map(entries.map { (key: $0.0, value: $0.1) })
}

private let minimal = map(
    ("data", map(("dataset", .string("digits")), ("label", .string("label")))),
    ("model", map(("kind", .string("softmax"))))
)

@Suite struct JobConfigTests {
    @Test func minimalDocumentGetsEveryDefault() throws {
        let config = try JobConfig(from: minimal)
        #expect(config.experiment == "default")
        #expect(config.data.validation == .fraction(0.2))
        #expect(config.optimizer.kind == .sgd)
        #expect(config.optimizer.learningRate == 0.1)
        #expect(config.schedule.kind == .constant)
        #expect(config.training.epochs == 10)
        #expect(config.training.batchSize == 256)
        #expect(config.training.mode == .sync)
        #expect(config.training.microShards == 4)  // 256 / 64
        #expect(config.checkpoint.everySteps == 200 && config.checkpoint.keep == 3)
        #expect(config.register == nil)
        #expect(config.model.hidden.isEmpty)
    }

    @Test func modeKeysHaveDefaultsAndBounds() throws {
        let config = try JobConfig(from: minimal)
        #expect(config.training.maxStaleness == 4 && config.training.localSteps == 8)
        #expect(config.cluster.stragglerPolicy == .report && config.cluster.stragglerFactor == 3)
        var local = minimal
        try local.set(.string("local_sgd"), at: "training.mode")
        try local.set(.int(2), at: "training.local_steps")
        #expect(try JobConfig(from: local).training.localSteps == 2)
        func rejectedKey(_ value: Int, at key: String) throws -> String? {
            var doc = minimal
            try doc.set(.int(value), at: key)
            do {
                _ = try JobConfig(from: doc)
                return nil
            } catch {
                return error.path
            }
        }
        #expect(try rejectedKey(0, at: "training.local_steps") == "training.local_steps")
        #expect(try rejectedKey(1_000_001, at: "training.local_steps") == "training.local_steps")
        #expect(try rejectedKey(-1, at: "training.max_staleness") == "training.max_staleness")
        #expect(try rejectedKey(0, at: "training.max_staleness") == nil)
    }

    @Test func requiredKeysAreNamed() {
        #expect(throws: ConfigError.missingKey(path: "data.dataset")) {
            try JobConfig(from: map(("data", map(("label", .string("y")))), ("model", map(("kind", .string("mlp"))))))
        }
        #expect(throws: ConfigError.missingKey(path: "model.kind")) {
            try JobConfig(from: map(("data", map(("dataset", .string("d")), ("label", .string("y"))))))
        }
    }

    @Test func unknownKeysAreErrorsWithSuggestions() throws {
        var doc = minimal
        try doc.set(.double(0.1), at: "optimizer.lrr")
        #expect(throws: ConfigError.unknownKey(path: "optimizer.lrr", suggestion: "optimizer.lr")) {
            try JobConfig(from: doc)
        }
        var top = minimal
        try top.set(.int(1), at: "trainng.epochs")
        #expect(throws: ConfigError.unknownKey(path: "trainng", suggestion: "training")) { try JobConfig(from: top) }
    }

    @Test func wrongTypesAndRangesNameTheKey() throws {
        var doc = minimal
        try doc.set(.string("many"), at: "training.epochs")
        #expect(
            throws: ConfigError.wrongType(path: "training.epochs", expected: "an integer", found: "a string \"many\"")
        ) {
            try JobConfig(from: doc)
        }
        var negative = minimal
        try negative.set(.double(-0.5), at: "optimizer.lr")
        #expect(throws: ConfigError.self) { try JobConfig(from: negative) }
        var badChoice = minimal
        try badChoice.set(.string("rmsprop"), at: "optimizer.kind")
        let error = try #require(throws: ConfigError.self) { try JobConfig(from: badChoice) }
        #expect(error.description.contains("sgd | adam | adamw"))
        var fraction = minimal
        try fraction.set(.double(1.5), at: "data.validation")
        #expect(throws: ConfigError.self) { try JobConfig(from: fraction) }
    }

    @Test func overridesReplaceAndCreateKeys() throws {
        var doc = minimal
        try doc.set(.string("mlp"), at: "model.kind")
        try doc.set(.list([.int(64), .int(32)]), at: "model.hidden")
        try doc.set(.string("local_sgd"), at: "training.mode")
        try doc.set(.string("digits-best"), at: "register.model")
        let config = try JobConfig(from: doc)
        #expect(config.model.kind == .mlp)
        #expect(config.model.hidden == [64, 32])
        #expect(config.training.mode == .localSGD)
        #expect(config.register == JobConfig.Register(model: "digits-best", alias: nil))
        #expect(throws: ConfigError.self) { try doc.set(.int(1), at: "model.kind.deeper") }
    }

    @Test func combinationsAreChecked() throws {
        var hidden = minimal
        try hidden.set(.list([.int(64)]), at: "model.hidden")
        #expect(throws: ConfigError.self) { try JobConfig(from: hidden) }
        var momentum = minimal
        try momentum.set(.string("adam"), at: "optimizer.kind")
        try momentum.set(.double(0.9), at: "optimizer.momentum")
        #expect(throws: ConfigError.self) { try JobConfig(from: momentum) }
        var heartbeat = minimal
        try heartbeat.set(.double(2), at: "cluster.heartbeat_interval")
        try heartbeat.set(.double(1), at: "cluster.heartbeat_timeout")
        #expect(throws: ConfigError.self) { try JobConfig(from: heartbeat) }
    }

    @Test func editDistanceFindsNearKeys() {
        #expect(editDistance("epochs", "epoch") == 1)
        #expect(nearest("bach_size", in: ["batch_size", "seed"]) == "batch_size")
        #expect(nearest("zzz", in: ["batch_size", "seed"]) == nil)
    }
}

@Suite struct JobConfigWireLimitTests {
    @Test func localStepLimitMatchesTheWire() {
        #expect(JobConfig.Training.maxLocalSteps == WireConstants.maxLocalSteps)
    }
}

@Suite struct ConfigValueJSONTests {
    @Test func jsonTextReadsBackAsTheSameTree() throws {
        let tree = ConfigValue.map([
            (key: "b", value: .int(3)), (key: "a", value: .double(1e-5)), (key: "c", value: .double(2)),
            (key: "d", value: .list([.string("x\"y\n"), .bool(true), .null, .map([])])),
        ])
        #expect(try ConfigValue(jsonText: tree.jsonText, source: "t") == tree)
    }

    @Test func malformedJSONNamesTheSourceAndOffset() {
        for text in ["{\"a\": }", "[1, 2", "{\"a\" 1}", "tru", "1 2", "\"open"] {
            #expect(throws: ConfigError.self) { try ConfigValue(jsonText: text, source: "run x config") }
        }
        do {
            _ = try ConfigValue(jsonText: "{\"a\": }", source: "run x config")
        } catch {
            #expect("\(error)" == "'run x config' is not valid JSON at byte 6: expected a value")
        }
    }
}

@Suite struct OptimizerSectionTests {
    /// The job file's optimizer ranges are OptimizerConfig's own, reported by the file's key.
    @Test(arguments: [
        ("lr", ConfigValue.double(0), "'optimizer.lr' must be greater than 0, found 0.0"),
        ("momentum", .double(1), "'optimizer.momentum' must be in [0, 1), found 1.0"),
        ("beta2", .double(1), "'optimizer.beta2' must be in [0, 1), found 1.0"),
        ("clip_norm", .double(-1), "'optimizer.clip_norm' must be greater than 0, found -1.0"),
        ("nesterov", .bool(true), "'optimizer.nesterov' needs optimizer.momentum > 0"),
    ])
    func outOfRangeSettingsNameTheKey(_ key: String, _ value: ConfigValue, _ message: String) throws {
        var doc = minimal
        try doc.set(value, at: "optimizer.\(key)")
        let error = try #require(throws: ConfigError.self) { try JobConfig(from: doc) }
        #expect(error.description == message)
    }

    @Test func theSectionBecomesTheOptimizersSettings() throws {
        var doc = minimal
        try doc.set(.string("adamw"), at: "optimizer.kind")
        try doc.set(.double(0.5), at: "optimizer.clip_norm")
        let optimizer = try JobConfig(from: doc).optimizer
        #expect(optimizer == OptimizerConfig(kind: .adamw, learningRate: 0.001, weightDecay: 0.01, clipNorm: 0.5))
    }
}
