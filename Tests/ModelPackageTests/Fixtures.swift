import Datasets
import Foundation
import GradientCore
import TrainyardTestSupport

@testable import ModelPackage

/// A dataset version imported from CSV text into a temporary store.
struct VersionFixture {
    let directory: TemporaryDirectory
    let version: DatasetVersion

    init(_ csv: String, configure: (inout ImportOptions) -> Void = { _ in }) throws {
        directory = try TemporaryDirectory("modelpackage")
        let url = directory.file("data.csv")
        try Data(csv.utf8).write(to: url)
        var options = ImportOptions()
        configure(&options)
        let outcome = try DatasetStore(root: directory.file("datasets")).importFile(at: url, options: options)
        version = try DatasetVersion(directory: outcome.directory)
    }

    /// Writes `text` to `name` in the fixture's directory and returns its URL.
    func write(_ name: String, _ text: String) throws -> URL {
        let url = directory.file(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    func remove() { directory.remove() }
}

/// 20 rows: `x` numeric (row 3 missing), `colour` categorical (blue/green/red, row 5 missing),
/// `label` a/b.
let toyCSV: String = {
    var text = "x,colour,label\n"
    let colours = ["red", "blue", "green", "red"]
    for i in 0..<20 {
        let x = i == 3 ? "" : "\(Double(i) * 0.5 - 2)"
        let colour = i == 5 ? "" : colours[i % 4]
        text += "\(x),\(colour),\(i % 3 == 0 ? "a" : "b")\n"
    }
    return text
}()

let toyLineage = ModelLineage(
    runID: "run-0001", datasetDigest: String(repeating: "ab", count: 32), datasetName: "toy",
    datasetVersion: "toy@abababababab", configDigest: "c0ffee", codeRevision: "1234567890ab",
    createdAt: Date(timeIntervalSince1970: 1_700_000_000), step: 42)

/// A manifest over numeric inputs `f0`…`f(n−1)` for `architecture`, with a reference from `values`.
func numericManifest(_ architecture: ModelSpec, labels: [String]? = nil, transforms: FittedTransforms? = nil)
    -> ModelManifest
{
    let n = architecture.inputs
    let columns = (0..<n).map { InputColumn(name: "f\($0)", kind: .numeric, firstFeature: $0, featureCount: 1) }
    let reference = ReferenceStatistics(
        rows: 3,
        columns: columns.map {
            ReferenceStatistics.numericReference($0.name, values: [0, 1, 2], missing: 0)
        })
    return ModelManifest(
        architecture: architecture, input: InputSchema(columns: columns, featureNames: columns.map(\.name)),
        transforms: transforms, labels: labels, reference: reference, metrics: ["val_loss": 0.5],
        lineage: toyLineage)
}

/// Deterministic parameters in [−1, 1) for `spec`.
func parameters(for spec: ModelSpec, seed: UInt64 = 3) -> [Float] {
    var rng = SplitMix64(seed: seed)
    return (0..<spec.layout().count).map { _ in Float(rng.nextUnit() * 2 - 1) }
}

/// Runs `body` and returns the ModelPackageError it throws, or nil.
func packageError(_ body: () throws -> Void) -> ModelPackageError? {
    do { try body() } catch let error as ModelPackageError { return error } catch { return nil }
    return nil
}
