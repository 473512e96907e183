import Datasets
import Foundation
import GradientCore
import Testing

@testable import ModelPackage

@Suite struct CSVScoringTests {
    /// A logistic model on the toy dataset's x and colour, with or without an imputer.
    func toyPredictor(_ fixture: VersionFixture, impute: Bool = true) throws -> Predictor {
        let rows = Array(0..<20)
        let specs: [TransformSpec] = impute ? [.imputeMean, .standardize] : [.standardize]
        let spec = ModelSpec(kind: .logistic, inputs: fixture.version.featureCount)
        let manifest = ModelManifest(
            architecture: spec, version: fixture.version, trainingRows: rows,
            transforms: FittedTransforms.fit(specs, version: fixture.version, rows: rows), metrics: [:],
            lineage: toyLineage)
        return try Predictor(manifest: manifest, parameters: parameters(for: spec, seed: 5))
    }

    @Test func scoresQuotedCRLFInputInOrderIntoPredictionAndProbabilityColumns() throws {
        let fixture = try VersionFixture(toyCSV)
        defer { fixture.remove() }
        let predictor = try toyPredictor(fixture)
        let encoder = InputEncoder(schema: predictor.manifest.input)
        let input = try fixture.write(
            "in.csv",
            "id,\"note, free text\",colour,x\r\n"
                + "1,\"said \"\"hi\"\", left\",red,0.5\r\n"
                + "2,\"two\r\nlines\",blue,-1\r\n"
                + "\r\n"
                + "3,plain,\"green\",2\r\n"
                + "4,,purple,3")
        let expected = try predictor.predict(
            encoder.encode(
                header: ["x", "colour"], rows: [["0.5", "red"], ["-1", "blue"], ["2", "green"], ["3", "purple"]]))
        var text = "prediction,p_a,p_b\n"
        for r in 0..<4 {
            text += "\(expected.labels[r]),\(expected.probabilities[2 * r]),\(expected.probabilities[2 * r + 1])\n"
        }

        let printed = try CSVScoring.score(csv: input, predictor: predictor, encoder: encoder, output: nil)
        #expect(printed == ScoringSummary(rows: 4, unseenLevels: ["colour": 1], text: text))

        let output = fixture.directory.file("out/scores.csv")
        let written = try CSVScoring.score(csv: input, predictor: predictor, encoder: encoder, output: output)
        #expect(written.text == nil && written.rows == 4)
        #expect(try String(contentsOf: output, encoding: .utf8) == text)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: output.deletingLastPathComponent().path) == [
                "scores.csv"
            ])
    }

    @Test func regressorsWriteOnlyThePrediction() throws {
        let fixture = try VersionFixture(toyCSV)
        defer { fixture.remove() }
        let spec = ModelSpec(kind: .linear, inputs: 2)
        let predictor = try Predictor(manifest: numericManifest(spec), parameters: [0.5, -2, 0.25])
        let input = try fixture.write("r.csv", "f1,f0\n1,2\n4,0\n")
        let summary = try CSVScoring.score(
            csv: input, predictor: predictor,
            encoder: InputEncoder(schema: predictor.manifest.input), output: nil)
        #expect(summary.text == "prediction\n\(Float(0.25 + 1 - 2))\n\(Float(0.25 - 8))\n")
    }

    @Test func errorsNameTheFileLineAndColumn() throws {
        let fixture = try VersionFixture(toyCSV)
        defer { fixture.remove() }
        let predictor = try toyPredictor(fixture)
        let encoder = InputEncoder(schema: predictor.manifest.input)
        func error(_ text: String, _ predictor: Predictor) throws -> ModelPackageError? {
            let url = try fixture.write("bad.csv", text)
            return packageError {
                _ = try CSVScoring.score(csv: url, predictor: predictor, encoder: encoder, output: nil)
            }
        }
        let path = fixture.directory.file("bad.csv").path
        let badNumber = try error("note,x,colour\n\"a\nb\",1,red\n\"c\",zz,blue\n", predictor)
        #expect(
            badNumber
                == .invalidInput(
                    at: SourcePosition(file: path, line: 4, column: 2, columnName: "x"),
                    detail: "expected a number, found \"zz\""))
        #expect(badNumber?.description == "\(path):4: column 2 (\"x\"): expected a number, found \"zz\"")

        #expect(
            try error("x,shade\n1,red\n", predictor)
                == .invalidInput(
                    at: SourcePosition(file: path, line: 1),
                    detail: ModelPackageError.missingColumn(name: "colour", available: ["x", "shade"]).description))
        #expect(
            try error("x,colour\n1,red\n2\n", predictor)
                == .invalidInput(
                    at: SourcePosition(file: path, line: 3), detail: "expected 2 fields like the header, found 1"))

        guard
            case .invalidInput(let at, let detail)? = try error(
                "colour,x\nred,1\nblue,\n", toyPredictor(fixture, impute: false))
        else {
            Issue.record("expected invalidInput")
            return
        }
        #expect(at == SourcePosition(file: path, line: 3, column: 2, columnName: "x"))
        #expect(detail.contains("no imputer"))
    }

    @Test func fieldsWithCommasOrQuotesAreQuoted() {
        #expect(CSVScoring.csvField("plain") == "plain")
        #expect(CSVScoring.csvField("a,b") == "\"a,b\"")
        #expect(CSVScoring.csvField("say \"x\"") == "\"say \"\"x\"\"\"")
    }
}
