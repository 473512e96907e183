import TrainingRuntime

/// What a sweep file asks for, apart from the base job (which the CLI resolves): the search
/// space, the algorithm, the objective, how many trials and how many at once.
public struct SweepSpec: Equatable, Sendable {
    public enum Algorithm: Equatable, Sendable {
        /// Every combination of the search space, each trained for the job's epochs.
        case grid
        /// `trials` draws from the space, each trained for the job's epochs.
        case random
        /// Asynchronous successive halving over `trials` random draws.
        case asha(ASHASettings)

        public var name: String {
            switch self {
            case .grid: return "grid"
            case .random: return "random"
            case .asha: return "asha"
            }
        }
    }

    /// The metric a sweep optimizes and in which direction.
    public struct Objective: Equatable, Sendable, Codable {
        public enum Mode: String, Equatable, Sendable, Codable { case min, max }
        public let metric: String
        public let mode: Mode

        public init(metric: String, mode: Mode) {
            self.metric = metric
            self.mode = mode
        }

        /// Whether `a` is strictly better than `b`; NaN is worse than any number.
        public func isBetter(_ a: Double, than b: Double) -> Bool {
            if a.isNaN { return false }
            if b.isNaN { return true }
            return mode == .min ? a < b : a > b
        }
    }

    /// `register: {model: NAME, alias: ALIAS}`: where the best trial's model goes.
    public struct Registration: Equatable, Sendable {
        public let model: String
        public let alias: String?
    }

    public let search: SearchSpace
    public let algorithm: Algorithm
    public let objective: Objective
    /// Trials of the sweep (for grid: the number of combinations).
    public let trials: Int
    /// Trials run at once; the worker pool is split between them.
    public let parallel: Int
    public let seed: UInt64
    public let register: Registration?

    /// Keys a sweep file may have; `base` / `job` and `name` are read by the CLI.
    public static let topLevelKeys = [
        "base", "job", "name", "search", "algorithm", "objective", "trials", "parallel",
        "seed", "register",
    ]

    /// Parses and validates a sweep document (everything but the base job).
    /// - Throws: ``SweepSpecError`` naming the dotted key: unknown keys, wrong types, invalid
    ///   distributions, ASHA resources out of order, `trials` with grid.
    public init(parsing document: ConfigValue) throws {
        guard case .map(let entries) = document else {
            throw SweepSpecError(key: "(sweep file)", "expected a mapping, found \(document.typeDescription)")
        }
        if let unknown = entries.first(where: { !Self.topLevelKeys.contains($0.key) }) {
            throw SweepSpecError(
                key: unknown.key, "unknown key (expected one of \(Self.topLevelKeys.joined(separator: ", ")))")
        }
        let root = SweepFields(entries, prefix: "")
        guard let searchValue = document.value(at: "search") else { throw SweepSpecError(key: "search", "is required") }
        search = try SearchSpace(parsing: searchValue)

        let algorithmFields = try root.section(
            "algorithm",
            allowed: [
                "kind", "min_resource", "max_resource",
                "reduction_factor", "grace_period",
            ])
        let kind = try algorithmFields.string("kind") ?? "random"
        switch kind {
        case "grid": algorithm = .grid
        case "random": algorithm = .random
        case "asha":
            guard let max = try algorithmFields.int("max_resource") else {
                throw SweepSpecError(
                    key: "algorithm.max_resource", "is required for asha (epochs of a fully trained trial)")
            }
            let min = try algorithmFields.int("min_resource") ?? 1
            algorithm = .asha(
                try ASHASettings(
                    minResource: min, maxResource: max,
                    reductionFactor: try algorithmFields.int("reduction_factor") ?? 3,
                    gracePeriod: try algorithmFields.int("grace_period") ?? min))
        default:
            throw SweepSpecError(key: "algorithm.kind", "unknown algorithm '\(kind)' (expected grid, random or asha)")
        }
        if case .asha = algorithm, search.dimensions.contains(where: { $0.key == "training.epochs" }) {
            throw SweepSpecError(
                key: "search.training.epochs",
                "asha owns the epoch budget: set algorithm.max_resource instead of searching epochs")
        }

        let objectiveFields = try root.section("objective", allowed: ["metric", "mode"])
        let metric = try objectiveFields.string("metric") ?? "val_loss"
        let modeText =
            try objectiveFields.string("mode")
            ?? (metric.hasSuffix("accuracy") || metric.hasSuffix("auc") ? "max" : "min")
        guard let mode = Objective.Mode(rawValue: modeText) else {
            throw SweepSpecError(key: "objective.mode", "expected min or max, found '\(modeText)'")
        }
        objective = Objective(metric: metric, mode: mode)

        let trialCount = try root.int("trials")
        if case .grid = algorithm {
            if trialCount != nil {
                throw SweepSpecError(key: "trials", "grid search runs every combination; remove trials")
            }
            trials = try search.grid().count
        } else {
            trials = trialCount ?? 10
            guard trials >= 1 else { throw SweepSpecError(key: "trials", "must be at least 1, found \(trials)") }
        }
        parallel = try root.int("parallel") ?? 1
        guard parallel >= 1 else { throw SweepSpecError(key: "parallel", "must be at least 1, found \(parallel)") }
        let seedValue = try root.int("seed") ?? 0
        guard seedValue >= 0 else { throw SweepSpecError(key: "seed", "must be 0 or more, found \(seedValue)") }
        seed = UInt64(seedValue)

        if document.value(at: "register") != nil {
            let fields = try root.section("register", allowed: ["model", "alias"])
            guard let model = try fields.string("model") else {
                throw SweepSpecError(key: "register.model", "is required")
            }
            register = Registration(model: model, alias: try fields.string("alias"))
        } else {
            register = nil
        }
    }

    /// The parameters of every trial, in trial order: the grid, or one seeded draw per trial.
    public func trialParameters() throws -> [[ParameterAssignment]] {
        switch algorithm {
        case .grid: return try search.grid()
        case .random, .asha: return (0..<trials).map { search.sample(seed: seed, trial: $0) }
        }
    }
}

/// Typed reads of a mapping's fields, with errors that name the dotted key.
struct SweepFields {
    let entries: [(key: String, value: ConfigValue)]
    let prefix: String

    init(_ entries: [(key: String, value: ConfigValue)], prefix: String) {
        self.entries = entries
        self.prefix = prefix
    }

    func path(_ key: String) -> String { prefix.isEmpty ? key : "\(prefix).\(key)" }

    func value(_ key: String) -> ConfigValue? {
        guard let value = entries.first(where: { $0.key == key })?.value, value != .null else { return nil }
        return value
    }

    /// A nested mapping (empty when absent), checked for unknown keys.
    func section(_ key: String, allowed: [String]) throws -> SweepFields {
        guard let value = value(key) else { return SweepFields([], prefix: path(key)) }
        guard case .map(let nested) = value else {
            throw SweepSpecError(key: path(key), "expected a mapping, found \(value.typeDescription)")
        }
        if let unknown = nested.first(where: { !allowed.contains($0.key) }) {
            throw SweepSpecError(
                key: "\(path(key)).\(unknown.key)",
                "unknown key (expected one of \(allowed.joined(separator: ", ")))")
        }
        return SweepFields(nested, prefix: path(key))
    }

    func int(_ key: String) throws -> Int? {
        guard let value = value(key) else { return nil }
        guard case .int(let i) = value else {
            throw SweepSpecError(key: path(key), "expected an integer, found \(value.typeDescription)")
        }
        return i
    }

    func string(_ key: String) throws -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let s) = value else {
            throw SweepSpecError(key: path(key), "expected a string, found \(value.typeDescription)")
        }
        return s
    }
}
