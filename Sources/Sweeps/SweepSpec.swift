import JobConfiguration

/// What a sweep file asks for, apart from the base job (which the CLI resolves): the search
/// space, the algorithm, the objective, how many trials and how many at once.
package struct SweepSpec: Equatable, Sendable {
    package enum Algorithm: Equatable, Sendable {
        /// Every combination of the search space, each trained for the job's epochs.
        case grid
        /// `trials` draws from the space, each trained for the job's epochs.
        case random
        /// Asynchronous successive halving over `trials` random draws.
        case asha(ASHASettings)

        package var name: String {
            switch self {
            case .grid: return "grid"
            case .random: return "random"
            case .asha: return "asha"
            }
        }
    }

    /// The metric a sweep optimizes and in which direction.
    package struct Objective: Equatable, Sendable, Codable {
        package enum Mode: String, Equatable, Sendable, Codable { case min, max }
        package let metric: String
        package let mode: Mode

        package init(metric: String, mode: Mode) {
            self.metric = metric
            self.mode = mode
        }

        /// Whether `a` is strictly better than `b`; NaN is worse than any number.
        package func isBetter(_ a: Double, than b: Double) -> Bool {
            if a.isNaN { return false }
            if b.isNaN { return true }
            return mode == .min ? a < b : a > b
        }
    }

    /// `register: {model: NAME, alias: ALIAS}`: where the best trial's model goes.
    package struct Registration: Equatable, Sendable {
        package let model: String
        package let alias: String?
    }

    package let search: SearchSpace
    package let algorithm: Algorithm
    package let objective: Objective
    /// Trials of the sweep (for grid: the number of combinations).
    package let trials: Int
    /// Trials run at once; the worker pool is split between them.
    package let parallel: Int
    package let seed: UInt64
    package let register: Registration?

    /// Parses and validates a sweep document (everything but the base job).
    /// - Throws: ``SweepSpecError`` naming the dotted key: unknown keys (with the nearest known
    ///   one), wrong types, invalid distributions, ASHA resources out of order, `trials` with grid.
    package init(parsing document: ConfigValue) throws {
        do {
            try self.init(checking: document)
        } catch let error as ConfigError {
            throw SweepSpecError(error)
        }
    }

    private init(checking document: ConfigValue) throws {
        var root = try ConfigSection(document, path: "")
        for key in ["base", "job", "name"] { _ = root.raw(key) }  // read by the CLI
        guard let searchValue = root.raw("search") else { throw ConfigError.missingKey(path: "search") }
        search = try SearchSpace(parsing: searchValue)

        var algorithmFields = try root.section("algorithm")
        let kind = try algorithmFields.string("kind") ?? "random"
        let maxResource = try algorithmFields.optionalInt("max_resource")
        let minResource = try algorithmFields.int("min_resource", default: 1)
        let reductionFactor = try algorithmFields.int("reduction_factor", default: 3)
        let gracePeriod = try algorithmFields.int("grace_period", default: minResource)
        try algorithmFields.finish()
        switch kind {
        case "grid": algorithm = .grid
        case "random": algorithm = .random
        case "asha":
            guard let maxResource else {
                throw SweepSpecError(
                    key: "algorithm.max_resource", "is required for asha (epochs of a fully trained trial)")
            }
            algorithm = .asha(
                try ASHASettings(
                    minResource: minResource, maxResource: maxResource, reductionFactor: reductionFactor,
                    gracePeriod: gracePeriod))
        default:
            throw SweepSpecError(key: "algorithm.kind", "unknown algorithm '\(kind)' (expected grid, random or asha)")
        }
        if case .asha = algorithm, search.dimensions.contains(where: { $0.key == "training.epochs" }) {
            throw SweepSpecError(
                key: "search.training.epochs",
                "asha owns the epoch budget: set algorithm.max_resource instead of searching epochs")
        }

        var objectiveFields = try root.section("objective")
        let metric = try objectiveFields.string("metric") ?? "val_loss"
        let modeText =
            try objectiveFields.string("mode")
            ?? (metric.hasSuffix("accuracy") || metric.hasSuffix("auc") ? "max" : "min")
        try objectiveFields.finish()
        guard let mode = Objective.Mode(rawValue: modeText) else {
            throw SweepSpecError(key: "objective.mode", "expected min or max, found '\(modeText)'")
        }
        objective = Objective(metric: metric, mode: mode)

        let trialCount = try root.optionalInt("trials")
        if case .grid = algorithm {
            if trialCount != nil {
                throw SweepSpecError(key: "trials", "grid search runs every combination; remove trials")
            }
            trials = try search.grid().count
        } else {
            trials = trialCount ?? 10
            guard trials >= 1 else { throw SweepSpecError(key: "trials", "must be at least 1, found \(trials)") }
        }
        parallel = try root.int("parallel", default: 1, min: 1)
        seed = UInt64(try root.int("seed", default: 0, min: 0))

        if root.has("register") {
            var fields = try root.section("register")
            let model = try fields.requiredString("model")
            register = Registration(model: model, alias: try fields.string("alias"))
            try fields.finish()
        } else {
            _ = root.raw("register")
            register = nil
        }
        try root.finish()
    }

    /// The parameters of every trial, in trial order: the grid, or one seeded draw per trial.
    package func trialParameters() throws -> [[ParameterAssignment]] {
        switch algorithm {
        case .grid: return try search.grid()
        case .random, .asha: return (0..<trials).map { search.sample(seed: seed, trial: $0) }
        }
    }
}
