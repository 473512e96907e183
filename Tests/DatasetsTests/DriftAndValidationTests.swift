import Datasets
import Foundation
import Testing

@Suite struct DriftStatisticsTests {
    func samples(seed: UInt64, _ n: Int, scale: Double = 1, shift: Double, rng: inout SplitMix64) -> [Double] {
        (0..<n).map { _ in rng.nextGaussianApproximation() * scale + shift }
    }

    /// Reference numbers from scipy 1.17.1, `scipy.stats.ks_2samp(a, b)` on the same data: a Python
    /// port of SplitMix64 (seed 42; 300 draws of `nextGaussianApproximation()`, then 200 draws
    /// + 0.4) gives statistic 0.225, p-value 8.772032002724303e-06 (scipy's exact method).
    @Test func ksMatchesScipyOnSmallSamples() {
        var rng = SplitMix64(seed: 42)
        let a = (0..<300).map { _ in rng.nextGaussianApproximation() }
        let b = (0..<200).map { _ in rng.nextGaussianApproximation() + 0.4 }
        let (d, p) = DriftStatistics.kolmogorovSmirnov(a, b)
        #expect(abs(d - 0.225) < 1e-12)
        #expect(abs(p - 8.772032002724303e-06) / 8.772032002724303e-06 < 0.15)
    }

    /// scipy 1.17.1 `ks_2samp`, seed 7: 20000 draws, then 15000 draws × 1.05 + 0.03 →
    /// statistic 0.025316666666666654, p-value 3.323529200593711e-05 (asymptotic method).
    @Test func ksMatchesScipyOnLargeSamples() {
        var rng = SplitMix64(seed: 7)
        let a = (0..<20_000).map { _ in rng.nextGaussianApproximation() }
        let b = (0..<15_000).map { _ in rng.nextGaussianApproximation() * 1.05 + 0.03 }
        let (d, p) = DriftStatistics.kolmogorovSmirnov(a, b)
        #expect(abs(d - 0.025316666666666654) < 1e-12)
        #expect(abs(p - 3.323529200593711e-05) / 3.323529200593711e-05 < 0.05)
    }

    @Test func ksOfIdenticalSamplesIsZeroWithPValueOne() {
        let a = [1.0, 2, 2, 3, 4]
        let (d, p) = DriftStatistics.kolmogorovSmirnov(a, a)
        #expect(d == 0 && p == 1)
    }

    /// Values computed with Python's math module from the formula in REFERENCE.md.
    @Test func psiMatchesTheFormula() {
        #expect(
            abs(
                DriftStatistics.psi(reference: [100, 200, 300, 400], current: [150, 250, 250, 350])
                    - 0.04722308044204257) < 1e-12)
        #expect(
            abs(
                DriftStatistics.psi(reference: [500, 500, 0], current: [400, 500, 100])
                    - 0.7123991075017365) < 1e-12)
        #expect(DriftStatistics.psi(reference: [5, 5], current: [5, 5]) == 0)
    }
}

@Suite struct ValidationTests {
    func csv(_ rows: Int, shift: Double, seed: UInt64, colours: [String] = ["red", "blue"]) -> String {
        var rng = SplitMix64(seed: seed)
        var text = "x,z,colour,label\n"
        for i in 0..<rows {
            let x = rng.nextGaussianApproximation() + shift
            let z = rng.nextGaussianApproximation()
            text += "\(x),\(z),\(colours[i % colours.count]),\(i % 2)\n"
        }
        return text
    }

    @Test func unshiftedCopyPassesAndShiftedCopyDriftsOnTheShiftedColumn() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let reference = try f.store.open(
            digest: try f.importFile(try f.write("ref.csv", csv(3000, shift: 0, seed: 1))).digest)
        let same = try DatasetValidator.validate(
            file: try f.write("same.csv", csv(2000, shift: 0, seed: 2)),
            against: reference, scratch: f.directory.url)
        #expect(same.passed, "\(same)")
        #expect(same.schemaProblems.isEmpty)
        let shifted = try DatasetValidator.validate(
            file: try f.write("shift.csv", csv(2000, shift: 1.5, seed: 3)),
            against: reference, scratch: f.directory.url)
        #expect(!shifted.passed)
        let x = try #require(shifted.columns.first { $0.column == "x" })
        #expect(x.drifted && x.psiLevel == "significant" && x.ksPValue! < 1e-6 && x.outOfRange > 0)
        #expect(shifted.columns.first { $0.column == "z" }?.drifted == false)
        #expect(shifted.columns.first { $0.column == "colour" }?.drifted == false)
    }

    @Test func schemaMismatchAndUnseenLevelsFail() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let reference = try f.store.open(
            digest: try f.importFile(try f.write("ref.csv", csv(500, shift: 0, seed: 1))).digest)
        let renamed = try f.write(
            "renamed.csv", csv(200, shift: 0, seed: 2).replacingOccurrences(of: "x,z,", with: "x,w,"))
        let report = try DatasetValidator.validate(file: renamed, against: reference, scratch: f.directory.url)
        #expect(!report.passed)
        #expect(report.schemaProblems.contains("column \"z\" is missing"))
        #expect(report.schemaProblems.contains("unexpected column \"w\""))
        let colours = try f.write("colours.csv", csv(200, shift: 0, seed: 2, colours: ["red", "green", "blue"]))
        let levels = try DatasetValidator.validate(file: colours, against: reference, scratch: f.directory.url)
        let colour = try #require(levels.columns.first { $0.column == "colour" })
        #expect(colour.outOfRange > 60 && colour.drifted && !levels.passed)
    }

    @Test func unreadableInputThrows() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let reference = try f.store.open(
            digest: try f.importFile(try f.write("ref.csv", csv(100, shift: 0, seed: 1))).digest)
        let bad = try f.write("bad.csv", "x,z,colour,label\n1,2,red,0\nfoo,2,red,1\n")
        guard
            case .unparsableValue? = datasetError({
                _ = try DatasetValidator.validate(file: bad, against: reference, scratch: f.directory.url)
            })
        else {
            Issue.record("expected unparsableValue")
            return
        }
    }
}

@Suite struct SyntheticTests {
    @Test func generationIsReproducibleFromTheSeed() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let spec = SyntheticSpec(kind: .classification, rows: 2000, features: 5, classes: 3, seed: 11)
        let a = try f.store.generate(spec)
        let b = try f.store.generate(spec)
        #expect(a.digest == b.digest && a.created && !b.created)
        var other = spec
        other.seed = 12
        #expect(try f.store.generate(other).digest != a.digest)
        #expect(a.schema.label?.classNames == ["0", "1", "2"])
        #expect(a.statistics.classCounts?.allSatisfy { $0 > 550 } == true)
        let regression = try f.store.generate(SyntheticSpec(kind: .regression, rows: 500, features: 4, seed: 1))
        #expect(regression.schema.label?.task == .regression)
        #expect(regression.manifest.sourceFormat == "generated")
    }

    @Test func badSizesAreRejected() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        #expect(
            datasetError { _ = try f.store.generate(SyntheticSpec(kind: .classification, rows: 0, features: 3)) } != nil
        )
        #expect(
            datasetError {
                _ = try f.store.generate(SyntheticSpec(kind: .classification, rows: 5, features: 3, classes: 1))
            } != nil)
    }

    @Test func storedVersionReopensAndRejectsCorruption() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let outcome = try f.store.generate(SyntheticSpec(kind: .regression, rows: 100, features: 3, seed: 5))
        #expect(try f.store.digests() == [outcome.digest])
        let data = outcome.directory.appendingPathComponent("data.bin")
        let handle = try FileHandle(forWritingTo: data)
        try handle.truncate(atOffset: 5000)
        try handle.close()
        guard case .corruptVersion? = datasetError({ _ = try f.store.open(digest: outcome.digest) }) else {
            Issue.record("a truncated data.bin must be reported as corrupt")
            return
        }
        #expect(
            datasetError { _ = try f.store.open(digest: String(repeating: "0", count: 64)) }
                == .versionNotFound(digest: String(repeating: "0", count: 64)))
    }
}
