import Datasets
import Foundation
import GradientCore
import Testing

@testable import ModelPackage

@Suite struct PredictorTests {
    let features: [Float] = [0.5, -1, 2, 3, 0, -0.25, 1.5, 1, -2]

    func fitted(_ specs: [TransformSpec]) -> FittedTransforms {
        FittedTransforms.fit(specs, features: [1, 2, 3, 4, 0, 6, -1, 2, 9, 0, 0, 1], featureCount: 3)
    }

    /// `features` transformed by hand with `transforms`, the reference input of the model.
    func transformed(_ transforms: FittedTransforms) -> [Float] {
        var copy = features
        transforms.apply(row: &copy)
        return copy
    }

    @Test func logisticGivesBothClassProbabilitiesAfterTheTransforms() throws {
        let spec = ModelSpec(kind: .logistic, inputs: 3)
        let transforms = fitted([.standardize])
        let manifest = numericManifest(spec, labels: ["no", "yes"], transforms: transforms)
        let weights = parameters(for: spec)
        let predictions = try Predictor(manifest: manifest, parameters: weights).predict(features: features, rows: 3)
        let model = try spec.makeModel()
        let p = try model.predict(parameters: weights, features: transformed(transforms), rows: 3)
        #expect(predictions.probabilities == p.flatMap { [1 - $0, $0] })
        #expect(
            predictions.classes
                == (try model.predictClasses(parameters: weights, features: transformed(transforms), rows: 3)))
        #expect(predictions.labels == predictions.classes.map { ["no", "yes"][$0] })
        #expect(Array(predictions.probabilities(row: 2)) == [1 - p[2], p[2]])
        #expect(predictions.values.isEmpty && predictions.rows == 3)
        #expect(transformed(transforms) != features)
    }

    @Test func softmaxMatchesTheModelAndDoesNotTouchTheInput() throws {
        let spec = ModelSpec(kind: .softmax, inputs: 3, outputs: 4)
        let transforms = fitted([.minMax])
        let manifest = numericManifest(spec, labels: ["a", "b", "c", "d"], transforms: transforms)
        let weights = parameters(for: spec, seed: 11)
        let input = features
        let predictions = try Predictor(manifest: manifest, parameters: weights).predict(features: input, rows: 3)
        #expect(input == features)
        let model = try spec.makeModel()
        #expect(
            predictions.probabilities
                == (try model.predict(parameters: weights, features: transformed(transforms), rows: 3)))
        #expect(
            predictions.classes
                == (try model.predictClasses(parameters: weights, features: transformed(transforms), rows: 3)))
    }

    @Test func linearRegressionReturnsValues() throws {
        let spec = ModelSpec(kind: .linear, inputs: 3)
        let weights = parameters(for: spec)
        let predictions = try Predictor(manifest: numericManifest(spec), parameters: weights).predict(
            features: features, rows: 3)
        let w = weights
        let expected = (0..<3).map { r in w[3] + (0..<3).reduce(Float(0)) { $0 + w[$1] * features[r * 3 + $1] } }
        #expect(zip(predictions.values, expected).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(predictions.values == (try spec.makeModel().predict(parameters: weights, features: features, rows: 3)))
        #expect(predictions.classNames.isEmpty && predictions.probabilities.isEmpty && predictions.classes.isEmpty)
    }

    @Test func missingValuesNeedAnImputer() throws {
        let spec = ModelSpec(kind: .linear, inputs: 3)
        var input = features
        input[4] = .nan
        let plain = try Predictor(
            manifest: numericManifest(spec, transforms: fitted([.standardize])),
            parameters: parameters(for: spec))
        guard
            case .nonFiniteFeature(let row, let feature, let value)? = packageError({
                _ = try plain.predict(features: input, rows: 3)
            })
        else {
            Issue.record("expected nonFiniteFeature")
            return
        }
        #expect(row == 1 && feature == "f1" && value.isNaN)
        let imputed = try Predictor(
            manifest: numericManifest(spec, transforms: fitted([.imputeMean, .standardize])),
            parameters: parameters(for: spec))
        #expect(try imputed.predict(features: input, rows: 3).values.allSatisfy(\.isFinite))
    }

    @Test func wrongSizesAreRejected() throws {
        let spec = ModelSpec(kind: .linear, inputs: 3)
        #expect(throws: ModelPackageError.shapeMismatch(what: "parameters", expected: 4, actual: 3)) {
            try Predictor(manifest: numericManifest(spec), parameters: [0, 0, 0])
        }
        let predictor = try Predictor(manifest: numericManifest(spec), parameters: parameters(for: spec))
        #expect(throws: ModelPackageError.shapeMismatch(what: "features (rows × 3)", expected: 6, actual: 9)) {
            try predictor.predict(features: features, rows: 2)
        }
    }
}
