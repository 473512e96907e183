import Datasets
import Foundation
import Testing

@testable import ModelPackage

@Suite struct InputEncoderTests {
    /// `x` numeric, `colour` one-hot over blue/red, `y` numeric.
    let schema = InputSchema(
        columns: [
            InputColumn(name: "x", kind: .numeric, firstFeature: 0, featureCount: 1),
            InputColumn(name: "colour", kind: .categorical, levels: ["blue", "red"], firstFeature: 1, featureCount: 2),
            InputColumn(name: "y", kind: .numeric, firstFeature: 3, featureCount: 1),
        ],
        featureNames: ["x", "colour=blue", "colour=red", "y"])

    func equalWithNaN(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
    }

    @Test func schemaFromADatasetListsItsFeatureColumns() throws {
        let fixture = try VersionFixture(toyCSV)
        defer { fixture.remove() }
        let input = InputSchema(schema: fixture.version.schema)
        #expect(input.columns.map(\.name) == ["x", "colour"] && input.featureCount == 4)
        #expect(input.column(named: "colour")?.levels == ["blue", "green", "red"])
        try input.validate()
    }

    @Test func encodesNumbersAndMissingValuesIgnoringExtraColumns() throws {
        let encoder = InputEncoder(schema: schema)
        let header = ["id", "y", " colour ", "x", "label"]
        let rows = [
            ["7", "2.5", "red", "1e1", "yes"], ["8", "", "blue", "NA", "no"], ["9", "nan", "", " -3 ", "no"],
        ]
        let encoded = try encoder.encode(header: header, rows: rows)
        #expect(encoded.rows == 3 && encoded.unseenLevels.isEmpty)
        #expect(equalWithNaN(encoded.features, [10, 0, 1, 2.5, .nan, 1, 0, .nan, -3, 0, 0, .nan]))
    }

    @Test func unseenLevelsEncodeAsZerosAndAreCounted() throws {
        let encoded = try InputEncoder(schema: schema).encode(
            header: ["x", "colour", "y"],
            rows: [["1", "green", "2"], ["1", "red", "2"], ["1", "Green", "2"], ["1", "NA", "2"]])
        #expect(encoded.features == [1, 0, 0, 2, 1, 0, 1, 2, 1, 0, 0, 2, 1, 0, 0, 2])
        #expect(encoded.unseenLevels == ["colour": 2])
    }

    @Test func aMissingColumnIsNamed() {
        let encoder = InputEncoder(schema: schema)
        #expect(throws: ModelPackageError.missingColumn(name: "y", available: ["x", "colour"])) {
            try encoder.encode(header: ["x", "colour"], rows: [["1", "red"]])
        }
        #expect(throws: ModelPackageError.duplicateColumn(name: "x")) {
            try encoder.encode(header: ["x", "colour", "y", "x "], rows: [])
        }
    }

    @Test func badNumbersAndRaggedRowsNameTheRow() {
        let encoder = InputEncoder(schema: schema)
        let error = ModelPackageError.invalidNumber(row: 1, column: "y", text: "12abc")
        #expect(throws: error) {
            try encoder.encode(header: ["x", "colour", "y"], rows: [["1", "red", "2"], ["1", "red", "12abc"]])
        }
        #expect(error.description == "row 2, column \"y\": expected a number, found \"12abc\"")
        #expect(throws: ModelPackageError.raggedRow(row: 0, expected: 3, found: 2)) {
            try encoder.encode(header: ["x", "colour", "y"], rows: [["1", "red"]])
        }
    }

    @Test func numericRowsAndFeatureMatricesPassThroughChecked() throws {
        let numeric = InputSchema(
            columns: [
                InputColumn(name: "a", kind: .numeric, firstFeature: 0, featureCount: 1),
                InputColumn(name: "b", kind: .numeric, firstFeature: 1, featureCount: 1),
            ],
            featureNames: ["a", "b"])
        let encoded = try InputEncoder(schema: numeric).encode(numericRows: [[1, .nan], [3, 4]])
        #expect(equalWithNaN(encoded.features, [1, .nan, 3, 4]) && encoded.rows == 2)
        #expect(throws: ModelPackageError.categoricalNeedsText(column: "colour")) {
            try InputEncoder(schema: schema).encode(numericRows: [[1, 0, 2]])
        }
        #expect(try InputEncoder(schema: schema).encode(features: [1, 0, 1, 2], rows: 1).features == [1, 0, 1, 2])
        #expect(throws: ModelPackageError.shapeMismatch(what: "features (rows × 4)", expected: 8, actual: 7)) {
            try InputEncoder(schema: schema).encode(features: [Float](repeating: 0, count: 7), rows: 2)
        }
    }

    @Test func validationRejectsColumnsThatDoNotTileTheFeatures() {
        var broken = schema
        broken.columns[2].firstFeature = 2
        #expect(
            throws: ModelPackageError.inconsistentManifest(
                field: "input.columns[2] (\"y\").first_feature",
                detail: "is 2, expected 3")
        ) { try broken.validate() }
        broken = schema
        broken.columns[1].levels = ["blue"]
        #expect(throws: ModelPackageError.self) { try broken.validate() }
    }
}
