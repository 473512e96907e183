/// Optimizer settings: SGD (optionally with momentum or Nesterov), Adam, AdamW — the job file's
/// `optimizer:` section and what the coordinator, workers and checkpoints use, one type for all.
///
/// Weight decay: for `sgd` and `adam` it is classic L2 — `decay · θ` is added to the gradient,
/// i.e. the loss gains `decay/2 · ‖θ‖²` (see ``WeightDecay``); for `adamw` it is decoupled,
/// `θ ← θ − lr · decay · θ`, as in Loshchilov & Hutter. It applies to every parameter, biases
/// included. Clipping by global norm, when set, happens first, on the raw gradient.
///
/// Encodes with the job file's keys (`lr`, `weight_decay`, `clip_norm`, …); decodes those and the
/// camel-case keys of checkpoints written before (`learningRate`, `weightDecay`, `clipNorm`).
package struct OptimizerConfig: Codable, Sendable, Hashable {
    package enum Kind: String, Codable, Sendable, CaseIterable { case sgd, adam, adamw }

    package var kind: Kind
    /// Base learning rate; the schedule scales it per step.
    package var learningRate: Float
    /// Momentum μ for `sgd` (0 disables the velocity buffer).
    package var momentum: Float
    /// Nesterov momentum for `sgd`.
    package var nesterov: Bool
    package var weightDecay: Float
    package var beta1: Float
    package var beta2: Float
    package var epsilon: Float
    /// Maximum global L2 norm of the gradient, or nil for no clipping.
    package var clipNorm: Float?

    package init(
        kind: Kind = .sgd, learningRate: Float = 0.01, momentum: Float = 0, nesterov: Bool = false,
        weightDecay: Float = 0, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
        clipNorm: Float? = nil
    ) {
        self.kind = kind
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.clipNorm = clipNorm
    }

    /// The documented default learning rate of each kind: 0.1 for sgd, 0.001 for adam and adamw.
    package static func defaultLearningRate(for kind: Kind) -> Float { kind == .sgd ? 0.1 : 0.001 }

    /// The first setting out of range, as the job file's key (`lr`, `momentum`, …) and what is
    /// wrong with it; nil when every setting is valid. The one definition of the valid ranges.
    package var violation: (key: String, message: String)? {
        if !(learningRate.isFinite && learningRate > 0) {
            return ("lr", "must be greater than 0, found \(learningRate)")
        }
        if !(momentum >= 0 && momentum < 1) { return ("momentum", "must be in [0, 1), found \(momentum)") }
        if kind != .sgd && (momentum != 0 || nesterov) { return ("momentum", "applies to kind sgd only") }
        if nesterov && momentum == 0 { return ("nesterov", "needs optimizer.momentum > 0") }
        if !(weightDecay >= 0 && weightDecay.isFinite) {
            return ("weight_decay", "must be at least 0, found \(weightDecay)")
        }
        if !(beta1 >= 0 && beta1 < 1) { return ("beta1", "must be in [0, 1), found \(beta1)") }
        if !(beta2 >= 0 && beta2 < 1) { return ("beta2", "must be in [0, 1), found \(beta2)") }
        if !(epsilon > 0 && epsilon.isFinite) { return ("epsilon", "must be greater than 0, found \(epsilon)") }
        if let clipNorm, !(clipNorm > 0 && clipNorm.isFinite) {
            return ("clip_norm", "must be greater than 0, found \(clipNorm)")
        }
        return nil
    }

    /// Throws ``GradientCoreError/invalidConfiguration(_:)`` naming the first ``violation``.
    package func validate() throws(GradientCoreError) {
        if let (key, message) = violation { throw .invalidConfiguration("optimizer.\(key) \(message)") }
    }

    enum CodingKeys: String, CodingKey {
        case kind, momentum, nesterov, beta1, beta2, epsilon
        case learningRate = "lr"
        case weightDecay = "weight_decay"
        case clipNorm = "clip_norm"
    }

    /// The keys checkpoints used before the job file's names were adopted.
    private enum LegacyKeys: String, CodingKey { case learningRate, weightDecay, clipNorm }

    package init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let legacy = try decoder.container(keyedBy: LegacyKeys.self)
        kind = try c.decode(Kind.self, forKey: .kind)
        learningRate =
            try c.decodeIfPresent(Float.self, forKey: .learningRate)
            ?? legacy.decode(Float.self, forKey: .learningRate)
        momentum = try c.decode(Float.self, forKey: .momentum)
        nesterov = try c.decode(Bool.self, forKey: .nesterov)
        weightDecay =
            try c.decodeIfPresent(Float.self, forKey: .weightDecay)
            ?? legacy.decode(Float.self, forKey: .weightDecay)
        beta1 = try c.decode(Float.self, forKey: .beta1)
        beta2 = try c.decode(Float.self, forKey: .beta2)
        epsilon = try c.decode(Float.self, forKey: .epsilon)
        clipNorm =
            try c.decodeIfPresent(Float.self, forKey: .clipNorm)
            ?? legacy.decodeIfPresent(Float.self, forKey: .clipNorm)
    }

    package func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(momentum, forKey: .momentum)
        try c.encode(nesterov, forKey: .nesterov)
        try c.encode(weightDecay, forKey: .weightDecay)
        try c.encode(beta1, forKey: .beta1)
        try c.encode(beta2, forKey: .beta2)
        try c.encode(epsilon, forKey: .epsilon)
        try c.encodeIfPresent(clipNorm, forKey: .clipNorm)
    }
}
