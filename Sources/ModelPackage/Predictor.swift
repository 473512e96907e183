import Datasets
import GradientCore

/// A model's outputs for a batch of rows.
package struct Predictions: Sendable, Equatable {
    package var rows: Int
    /// Classifiers: the class names, index = class id. Empty for regressors.
    package var classNames: [String]
    /// Classifiers: `rows × classNames.count` class probabilities, row-major (logistic: `[1 − p, p]`).
    /// Empty for regressors.
    package var probabilities: [Float]
    /// Classifiers: the predicted class id per row (argmax, or p ≥ 0.5 for logistic). Empty for regressors.
    package var classes: [Int]
    /// Regressors: the predicted value per row. Empty for classifiers.
    package var values: [Float]

    /// Classifiers: the predicted class name per row.
    package var labels: [String] { classes.map { classNames[$0] } }

    /// The class probabilities of row `row`.
    package func probabilities(row: Int) -> ArraySlice<Float> {
        probabilities[(row * classNames.count)..<((row + 1) * classNames.count)]
    }
}

/// A loaded model ready to score encoded rows: the manifest's fitted transforms, then the model.
package struct Predictor: Sendable {
    package let manifest: ModelManifest
    package let parameters: [Float]
    private let model: Model

    /// Builds the model of `manifest.architecture`. Throws
    /// ``ModelPackageError/shapeMismatch(what:expected:actual:)`` when `parameters` does not
    /// match `manifest.parameterCount`, and ``GradientCoreError`` for an invalid architecture.
    package init(manifest: ModelManifest, parameters: [Float]) throws {
        guard parameters.count == manifest.parameterCount else {
            throw ModelPackageError.shapeMismatch(
                what: "parameters", expected: manifest.parameterCount,
                actual: parameters.count)
        }
        self.manifest = manifest
        self.parameters = parameters
        model = try manifest.architecture.makeModel()
    }

    /// Predicts `rows` encoded, untransformed rows (`rows × input.featureCount` features, as
    /// from ``InputEncoder``). The transforms run on a copy; `features` is not changed.
    /// - Throws: ``ModelPackageError/shapeMismatch(what:expected:actual:)`` for a matrix of the
    ///   wrong size, ``ModelPackageError/nonFiniteFeature(row:feature:value:)`` naming the first
    ///   feature that is NaN or infinite after the transforms.
    /// Complexity O(rows × parameters).
    package func predict(features: [Float], rows: Int, threads: Int = 1) throws -> Predictions {
        let width = manifest.architecture.inputs
        guard rows >= 0, features.count == rows * width else {
            throw ModelPackageError.shapeMismatch(
                what: "features (rows × \(width))", expected: max(0, rows) * width,
                actual: features.count)
        }
        var x = features
        if let transforms = manifest.transforms { x.withUnsafeMutableBufferPointer { transforms.apply(rows: $0) } }
        if let bad = x.firstIndex(where: { !$0.isFinite }) {
            throw ModelPackageError.nonFiniteFeature(
                row: bad / width, feature: manifest.input.featureNames[bad % width],
                value: x[bad])
        }
        let output = try model.predict(parameters: parameters, features: x, rows: rows, threads: threads)
        guard let classCount = manifest.architecture.classCount else {
            return Predictions(rows: rows, classNames: [], probabilities: [], classes: [], values: output)
        }
        if manifest.architecture.kind == .logistic {
            return Predictions(
                rows: rows, classNames: manifest.labels ?? [], probabilities: output.flatMap { [1 - $0, $0] },
                classes: output.map { $0 >= 0.5 ? 1 : 0 }, values: [])
        }
        let classes = (0..<rows).map { r in
            var best = 0
            for c in 1..<classCount where output[r * classCount + c] > output[r * classCount + best] { best = c }
            return best
        }
        return Predictions(
            rows: rows, classNames: manifest.labels ?? [], probabilities: output, classes: classes, values: [])
    }

    /// Predicts the rows of an encoder's output; see ``predict(features:rows:threads:)``.
    package func predict(_ input: EncodedInput, threads: Int = 1) throws -> Predictions {
        try predict(features: input.features, rows: input.rows, threads: threads)
    }
}
