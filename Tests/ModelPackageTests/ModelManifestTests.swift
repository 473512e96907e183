import Datasets
import Foundation
import GradientCore
import Testing

@testable import ModelPackage

@Suite struct ModelManifestTests {
    /// A logistic model on the toy dataset (x, colour one-hot) with standardize fitted on the
    /// first 15 rows.
    func toyManifest(_ fixture: VersionFixture) -> ModelManifest {
        let rows = Array(0..<15)
        let transforms = FittedTransforms.fit([.imputeMean, .standardize], version: fixture.version, rows: rows)
        let spec = ModelSpec(kind: .logistic, inputs: fixture.version.featureCount)
        return ModelManifest(
            architecture: spec, version: fixture.version, trainingRows: rows, transforms: transforms,
            metrics: ["val_accuracy": 0.75, "val_loss": .nan], lineage: toyLineage)
    }

    /// The manifest's JSON as a mutable object tree.
    func jsonObject(_ manifest: ModelManifest) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: manifest.jsonData()) as? [String: Any])
    }

    /// The error decoding `object` throws.
    func decodeError(_ object: [String: Any]) throws -> ModelPackageError? {
        let data = try JSONSerialization.data(withJSONObject: object)
        return packageError { _ = try ModelManifest(json: data) }
    }

    @Test func roundTripsThroughSortedSnakeCaseJSON() throws {
        let fixture = try VersionFixture(toyCSV)
        defer { fixture.remove() }
        let manifest = toyManifest(fixture)
        let data = try manifest.jsonData()
        let decoded = try ModelManifest(json: data)
        #expect(decoded.metrics["val_loss"]?.isNaN == true)
        var comparable = decoded
        comparable.metrics["val_loss"] = manifest.metrics["val_loss"]
        #expect(
            comparable.architecture == manifest.architecture && comparable.input == manifest.input
                && comparable.transforms == manifest.transforms && comparable.reference == manifest.reference
                && comparable.lineage == manifest.lineage && comparable.labels == ["a", "b"])
        #expect(try decoded.jsonData() == data)

        let object = try jsonObject(manifest)
        #expect(object["format"] as? String == "trainyard-model/1")
        #expect(object["parameter_count"] as? Int == 5)
        #expect(object["task"] as? String == "classification")
        let input = try #require(object["input"] as? [String: Any])
        #expect(input["feature_names"] as? [String] == ["x", "colour=blue", "colour=green", "colour=red"])
        #expect(input["feature_count"] as? Int == 4)
        let colour = try #require((input["columns"] as? [[String: Any]])?.last)
        #expect(colour["first_feature"] as? Int == 1 && colour["feature_count"] as? Int == 3)
        let lineage = try #require(object["lineage"] as? [String: Any])
        #expect(lineage["created_at"] as? String == "2023-11-14T22:13:20Z")
        #expect(lineage["run_id"] as? String == "run-0001" && lineage["config_digest"] as? String == "c0ffee")
        let text = String(decoding: data, as: UTF8.self)
        let positions = [
            "architecture", "format", "input", "labels", "lineage", "metrics", "parameter_count",
            "reference", "task", "transforms",
        ].compactMap { text.range(of: "\n  \"\($0)\"")?.lowerBound }
        #expect(positions.count == 10 && positions == positions.sorted())
    }

    @Test func decodingRejectsAnotherFormatVersion() throws {
        let fixture = try VersionFixture(toyCSV)
        defer { fixture.remove() }
        var object = try jsonObject(toyManifest(fixture))
        object["format"] = "trainyard-model/2"
        #expect(try decodeError(object) == .unsupportedFormat(found: "trainyard-model/2"))
    }

    @Test func decodingNamesEachInconsistentField() throws {
        let fixture = try VersionFixture(toyCSV)
        defer { fixture.remove() }
        let base = try jsonObject(toyManifest(fixture))
        func field(_ mutate: (inout [String: Any]) -> Void) throws -> String? {
            var object = base
            mutate(&object)
            guard case .inconsistentManifest(let field, _) = try decodeError(object) else { return nil }
            return field
        }
        #expect(try field { $0["parameter_count"] = 6 } == "parameter_count")
        #expect(
            try field {
                $0["architecture"] = ["kind": "logistic", "inputs": 5]
                $0["parameter_count"] = 6
            } == "input.feature_count")
        #expect(try field { $0["labels"] = ["a"] } == "labels")
        #expect(try field { $0["labels"] = ["a", "a"] } == "labels")
        #expect(try field { $0["task"] = "regression" } == "task")
        #expect(
            try field {
                var transforms = $0["transforms"] as! [String: Any]
                transforms["featureCount"] = 3
                $0["transforms"] = transforms
            } == "transforms.featureCount")
        #expect(
            try field {
                var input = $0["input"] as! [String: Any]
                input["feature_count"] = 3
                $0["input"] = input
            } == "input.feature_count")
        #expect(
            try field {
                var reference = $0["reference"] as! [String: Any]
                reference["columns"] = Array((reference["columns"] as! [Any]).reversed())
                $0["reference"] = reference
            } == "reference.columns")
    }

    @Test func inconsistentFieldErrorsReadClearly() throws {
        let fixture = try VersionFixture(toyCSV)
        defer { fixture.remove() }
        var object = try jsonObject(toyManifest(fixture))
        object["parameter_count"] = 7
        let error = try #require(try decodeError(object))
        #expect(error.description == "model.json: parameter_count: is 7, the architecture has 5 parameters")
    }

    @Test func decodingNamesAMissingKey() throws {
        let fixture = try VersionFixture(toyCSV)
        defer { fixture.remove() }
        var object = try jsonObject(toyManifest(fixture))
        var lineage = object["lineage"] as! [String: Any]
        lineage["run_id"] = nil
        object["lineage"] = lineage
        guard case .malformedManifest(let detail) = try decodeError(object) else {
            Issue.record("expected malformedManifest")
            return
        }
        #expect(detail.contains("lineage.run_id"))
    }

    @Test func encodingRefusesAnInconsistentManifest() {
        var manifest = numericManifest(ModelSpec(kind: .linear, inputs: 2))
        manifest.labels = ["x"]
        #expect(
            packageError { _ = try manifest.jsonData() }
                == .inconsistentManifest(field: "labels", detail: "a regression model has no labels"))
    }
}
