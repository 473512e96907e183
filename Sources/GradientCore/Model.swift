/// Summed loss and example count of one gradient computation.
///
/// Partial results from many workers combine exactly by adding `lossSum` and `count`
/// (and the gradient buffers).
package struct BatchLoss: Sendable, Equatable, Codable {
    /// Σ per-example loss over the batch.
    package var lossSum: Double
    /// Number of examples.
    package var count: Int

    package init(lossSum: Double, count: Int) {
        self.lossSum = lossSum
        self.count = count
    }

    /// lossSum / count (0 for an empty batch).
    package var meanLoss: Double { count == 0 ? 0 : lossSum / Double(count) }

    /// The combined result of two disjoint batches.
    package static func + (lhs: BatchLoss, rhs: BatchLoss) -> BatchLoss {
        BatchLoss(lossSum: lhs.lossSum + rhs.lossSum, count: lhs.count + rhs.count)
    }
}

/// A model built from a ``ModelSpec``: gradients, predictions and evaluation over flat parameters.
///
/// Features are a row-major Float32 matrix of `rows × spec.inputs`; labels hold one Float32 per
/// row: the class index for classifiers (0/1 for logistic), the target for regressors.
/// Per-example losses: squared error `(ŷ − y)²` for regressors, cross-entropy for classifiers.
/// Weight decay is not part of the loss: the ``Optimizer`` applies it.
package struct Model: Sendable {
    package let spec: ModelSpec
    package let layout: ParameterLayout
    let network: DenseNetwork?

    /// Rows per chunk of the fused linear kernel; chunks are the unit of parallel work.
    package static let linearRowsPerChunk = 4096

    /// Validates `spec` and builds the model.
    package init(spec: ModelSpec) throws(GradientCoreError) {
        try spec.validate()
        self.spec = spec
        self.layout = spec.layout()
        let layout = self.layout
        network = spec.kind == .softmax || spec.kind == .mlp ? DenseNetwork(spec: spec, layout: layout) : nil
    }

    /// Adds the **sum** of per-example gradients of the batch to `gradient` and returns the summed
    /// loss and count.
    ///
    /// The result is bitwise identical for every `threads` value: rows are split into fixed chunks
    /// and partial sums are combined in a fixed order. Throws ``GradientCoreError/shapeMismatch(what:expected:actual:)``
    /// for buffers of the wrong size, ``GradientCoreError/invalidLabel(row:value:expected:)`` for
    /// bad labels and ``GradientCoreError/nonFinite(what:index:)`` if the loss or gradient is NaN or
    /// infinite. Cost: O(rows · parameters), one pass over the features for linear models.
    package func accumulateGradient(
        parameters: UnsafeBufferPointer<Float>, features: UnsafeBufferPointer<Float>,
        labels: UnsafeBufferPointer<Float>, rows: Int, into gradient: UnsafeMutableBufferPointer<Float>,
        threads: Int = 1
    ) throws(GradientCoreError) -> BatchLoss {
        try validate(parameters: parameters.count, features: features.count, rows: rows)
        try requireShape("labels (rows)", expected: [rows], actual: [labels.count])
        try requireShape("gradient (parameters)", expected: [layout.count], actual: [gradient.count])
        try validateLabels(labels)
        guard rows > 0 else { return BatchLoss(lossSum: 0, count: 0) }
        let p = parameters.baseAddress!, x = features.baseAddress!, y = labels.baseAddress!
        let g = gradient.baseAddress!
        let lossSum: Double
        if let network {
            lossSum = network.sumOverChunks(rows: rows) { start, count, work in
                network.accumulate(
                    p, x + start * spec.inputs, y + start, rows: count, gradient: g, work: work, threads: threads)
            }
        } else {
            lossSum = linearGradient(p, x, y, rows: rows, gradient: g, threads: threads)
        }
        guard lossSum.isFinite else { throw .nonFinite(what: "loss", index: 0) }
        try requireFinite("gradient", UnsafeBufferPointer(gradient))
        return BatchLoss(lossSum: lossSum, count: rows)
    }

    /// Array form of ``accumulateGradient(parameters:features:labels:rows:into:threads:)``.
    package func accumulateGradient(
        parameters: [Float], features: [Float], labels: [Float], rows: Int, into gradient: inout [Float],
        threads: Int = 1
    ) throws(GradientCoreError) -> BatchLoss {
        try requireShape("gradient (parameters)", expected: [layout.count], actual: [gradient.count])
        return try parameters.withUnsafeBufferPointer { (p) throws(GradientCoreError) in
            try features.withUnsafeBufferPointer { (x) throws(GradientCoreError) in
                try labels.withUnsafeBufferPointer { (y) throws(GradientCoreError) in
                    try gradient.withUnsafeMutableBufferPointer { (g) throws(GradientCoreError) in
                        try accumulateGradient(
                            parameters: p, features: x, labels: y, rows: rows, into: g, threads: threads)
                    }
                }
            }
        }
    }

    /// The mean gradient (sum / rows) and mean loss of a batch: the convenience for single-process use.
    package func meanGradient(
        parameters: [Float], features: [Float], labels: [Float], rows: Int, threads: Int = 1
    ) throws(GradientCoreError) -> (gradient: [Float], loss: Double) {
        var gradient = [Float](repeating: 0, count: layout.count)
        let result = try accumulateGradient(
            parameters: parameters, features: features, labels: labels, rows: rows, into: &gradient, threads: threads)
        if rows > 0 {
            let scale = 1 / Float(rows)
            for i in gradient.indices { gradient[i] *= scale }
        }
        return (gradient, result.meanLoss)
    }

    /// Model outputs, `rows × spec.predictionWidth`, row-major: P(class 1) for logistic, class
    /// probabilities for softmax heads, predicted values for regressors.
    package func predict(parameters: [Float], features: [Float], rows: Int, threads: Int = 1) throws(GradientCoreError)
        -> [Float]
    {
        try validate(parameters: parameters.count, features: features.count, rows: rows)
        let width = spec.predictionWidth
        var output = [Float](repeating: 0, count: rows * width)
        guard rows > 0 else { return output }
        parameters.withUnsafeBufferPointer { pb in
            features.withUnsafeBufferPointer { xb in
                output.withUnsafeMutableBufferPointer { ob in
                    let p = pb.baseAddress!, x = xb.baseAddress!, o = ob.baseAddress!
                    if let network {
                        _ = network.sumOverChunks(rows: rows) { start, count, work in
                            network.predict(
                                p, x + start * spec.inputs, rows: count, output: o + start * width,
                                work: work, threads: threads)
                            return 0
                        }
                    } else {
                        linearPredict(p, x, rows: rows, output: o)
                    }
                }
            }
        }
        return output
    }

    /// Σ loss over `rows` labelled rows and the outputs ``predict(parameters:features:rows:threads:)``
    /// returns. Dense networks need one forward pass for both (the loss has the same bits as the
    /// gradient pass's); linear models one pass that computes the fused kernel's logits and loss
    /// (the same bits as its gradient pass) and `predict`'s outputs, without the gradient.
    func lossAndOutput(
        parameters: [Float], features: [Float], labels: [Float], rows: Int, threads: Int
    ) throws(GradientCoreError) -> (lossSum: Double, output: [Float]) {
        try validate(parameters: parameters.count, features: features.count, rows: rows)
        try requireShape("labels (rows)", expected: [rows], actual: [labels.count])
        try labels.withUnsafeBufferPointer { (y) throws(GradientCoreError) in try validateLabels(y) }
        let width = spec.predictionWidth
        var output = [Float](repeating: 0, count: rows * width)
        guard rows > 0 else { return (0, output) }
        let lossSum = parameters.withUnsafeBufferPointer { pb in
            features.withUnsafeBufferPointer { xb in
                labels.withUnsafeBufferPointer { yb in
                    output.withUnsafeMutableBufferPointer { ob in
                        guard let network else {
                            return linearLossAndOutput(
                                pb.baseAddress!, xb.baseAddress!, yb.baseAddress!, rows: rows,
                                output: ob.baseAddress!, threads: threads)
                        }
                        return network.sumOverChunks(rows: rows) { start, count, work in
                            network.lossAndOutput(
                                pb.baseAddress!, xb.baseAddress! + start * spec.inputs, yb.baseAddress! + start,
                                rows: count,
                                output: ob.baseAddress! + start * width, work: work, threads: threads)
                        }
                    }
                }
            }
        }
        guard lossSum.isFinite else { throw .nonFinite(what: "loss", index: 0) }
        return (lossSum, output)
    }

    /// Predicted class per row (argmax, or P ≥ 0.5 for logistic); nil for regressors.
    package func predictClasses(parameters: [Float], features: [Float], rows: Int, threads: Int = 1)
        throws(GradientCoreError) -> [Int]?
    {
        guard let classes = spec.classCount else { return nil }
        let output = try predict(parameters: parameters, features: features, rows: rows, threads: threads)
        if spec.kind == .logistic { return output.map { $0 >= 0.5 ? 1 : 0 } }
        return (0..<rows).map { r in
            var best = 0
            for c in 1..<classes where output[r * classes + c] > output[r * classes + best] { best = c }
            return best
        }
    }

    private func validate(parameters: Int, features: Int, rows: Int) throws(GradientCoreError) {
        try requireShape("parameters", expected: [layout.count], actual: [parameters])
        guard rows >= 0 else { throw .shapeMismatch(what: "rows", expected: [0], actual: [rows]) }
        if features != rows * spec.inputs {
            throw .shapeMismatch(
                what: "features (rows × inputs)", expected: [rows, spec.inputs],
                actual: features % spec.inputs == 0 ? [features / spec.inputs, spec.inputs] : [features])
        }
    }

    private func validateLabels(_ labels: UnsafeBufferPointer<Float>) throws(GradientCoreError) {
        if let classes = spec.classCount {
            for (row, value) in labels.enumerated() {
                guard value >= 0, value < Float(classes), value == value.rounded(.towardZero) else {
                    throw .invalidLabel(row: row, value: value, expected: "a class index in 0..<\(classes)")
                }
            }
        } else {
            for (row, value) in labels.enumerated() where !value.isFinite {
                throw .invalidLabel(row: row, value: value, expected: "a finite regression target")
            }
        }
    }
}
