/// A model architecture: a small Codable value that builds the ``Model`` and its parameters.
///
/// - `linear`: one output, squared-error loss `(ŷ − y)²`.
/// - `logistic`: binary classifier, labels 0/1, binary cross-entropy on the logit.
/// - `softmax`: multiclass classifier with `outputs` classes, labels are class indices.
/// - `mlp`: `hidden` layers with `activation`, then a softmax head (`outputs` classes) or a
///   linear head (`outputs` must be 1, squared-error loss).
package struct ModelSpec: Codable, Sendable, Hashable {
    /// Model family.
    package enum Kind: String, Codable, Sendable, CaseIterable { case linear, logistic, softmax, mlp }
    /// Hidden-layer nonlinearity (MLP only). `gelu` is the tanh approximation.
    package enum Activation: String, Codable, Sendable, CaseIterable { case relu, tanh, gelu }
    /// MLP head: softmax classifier or linear regressor.
    package enum Head: String, Codable, Sendable, CaseIterable { case softmax, linear }

    package var kind: Kind
    /// Number of input features.
    package var inputs: Int
    /// Number of outputs: classes for softmax heads, 1 for linear, logistic and linear-head MLP.
    package var outputs: Int
    /// Hidden layer widths (MLP only; empty otherwise).
    package var hidden: [Int]
    package var activation: Activation
    package var head: Head

    package init(
        kind: Kind, inputs: Int, outputs: Int = 1, hidden: [Int] = [],
        activation: Activation = .relu, head: Head = .softmax
    ) {
        self.kind = kind
        self.inputs = inputs
        self.outputs = outputs
        self.hidden = hidden
        self.activation = activation
        self.head = head
    }

    /// True for logistic, softmax and softmax-head MLP models.
    package var isClassifier: Bool {
        switch kind {
        case .linear: return false
        case .logistic, .softmax: return true
        case .mlp: return head == .softmax
        }
    }

    /// Number of classes (2 for logistic), or nil for regressors.
    package var classCount: Int? {
        switch kind {
        case .linear: return nil
        case .logistic: return 2
        case .softmax: return outputs
        case .mlp: return head == .softmax ? outputs : nil
        }
    }

    /// Columns returned per row by ``Model/predict(parameters:features:rows:threads:)``.
    package var predictionWidth: Int { kind == .logistic || kind == .linear ? 1 : outputs }

    /// Throws if sizes are out of range or inconsistent with the kind.
    package func validate() throws(GradientCoreError) {
        guard inputs > 0 else { throw .invalidConfiguration("model.inputs must be > 0, got \(inputs)") }
        switch kind {
        case .linear, .logistic:
            guard outputs == 1 else {
                throw .invalidConfiguration("\(kind.rawValue) model has 1 output, got outputs = \(outputs)")
            }
            guard hidden.isEmpty else {
                throw .invalidConfiguration("\(kind.rawValue) model takes no hidden layers, got \(hidden)")
            }
        case .softmax:
            guard outputs >= 2 else {
                throw .invalidConfiguration("softmax model needs outputs (classes) >= 2, got \(outputs)")
            }
            guard hidden.isEmpty else {
                throw .invalidConfiguration("softmax model takes no hidden layers, got \(hidden)")
            }
        case .mlp:
            guard !hidden.isEmpty, hidden.allSatisfy({ $0 > 0 }) else {
                throw .invalidConfiguration("mlp model needs hidden layer widths > 0, got \(hidden)")
            }
            if head == .softmax, outputs < 2 {
                throw .invalidConfiguration("mlp with softmax head needs outputs (classes) >= 2, got \(outputs)")
            }
            if head == .linear, outputs != 1 {
                throw .invalidConfiguration("mlp with linear head has 1 output, got outputs = \(outputs)")
            }
        }
    }

    /// Layer widths from input to output, e.g. `[784, 256, 128, 10]`.
    package var widths: [Int] { [inputs] + hidden + [outputs] }

    /// The flat parameter layout: `weight [outputs, inputs]`, `bias [outputs]` for linear,
    /// logistic and softmax; `layers.i.weight [out, in]`, `layers.i.bias [out]` for MLP.
    package func layout() -> ParameterLayout {
        if kind != .mlp {
            return ParameterLayout([("weight", [outputs, inputs]), ("bias", [outputs])])
        }
        var tensors: [(name: String, shape: [Int])] = []
        let w = widths
        for layer in 0..<(w.count - 1) {
            tensors.append(("layers.\(layer).weight", [w[layer + 1], w[layer]]))
            tensors.append(("layers.\(layer).bias", [w[layer + 1]]))
        }
        return ParameterLayout(tensors)
    }

    /// Deterministic initial parameters from ``Philox`` (stream 0 for `seed`), identical on every
    /// platform. Weights are uniform: He (`±√(6/fan_in)`) for ReLU/GELU hidden layers, Xavier
    /// (`±√(6/(fan_in+fan_out))`) for tanh layers, output layers and the linear, logistic and
    /// softmax models; biases are zero. O(parameter count).
    package func initialParameters(seed: UInt64) -> [Float] {
        let layout = layout()
        var values = [Float](repeating: 0, count: layout.count)
        var rng = Philox(seed: seed)
        let w = widths
        for entry in layout.entries where entry.shape.count == 2 {
            let fanOut = entry.shape[0], fanIn = entry.shape[1]
            let isHiddenLayer = kind == .mlp && entry.name != "layers.\(w.count - 2).weight"
            let useHe = isHiddenLayer && activation != .tanh
            let bound: Float =
                useHe
                ? (6.0 / Float(fanIn)).squareRoot()
                : (6.0 / Float(fanIn + fanOut)).squareRoot()
            for i in entry.range {
                values[i] = (rng.nextFloat() * 2 - 1) * bound
            }
        }
        return values
    }

    /// Builds the model after ``validate()``.
    package func makeModel() throws(GradientCoreError) -> Model {
        try Model(spec: self)
    }
}

extension ModelSpec {
    private enum CodingKeys: String, CodingKey { case kind, inputs, outputs, hidden, activation, head }

    /// Decodes a spec; `outputs` (1), `hidden` ([]), `activation` (relu) and `head` (softmax) may
    /// be omitted.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            kind: try container.decode(Kind.self, forKey: .kind),
            inputs: try container.decode(Int.self, forKey: .inputs),
            outputs: try container.decodeIfPresent(Int.self, forKey: .outputs) ?? 1,
            hidden: try container.decodeIfPresent([Int].self, forKey: .hidden) ?? [],
            activation: try container.decodeIfPresent(Activation.self, forKey: .activation) ?? .relu,
            head: try container.decodeIfPresent(Head.self, forKey: .head) ?? .softmax)
    }
}
