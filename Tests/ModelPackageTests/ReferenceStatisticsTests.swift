import Datasets
import Foundation
import GradientCore
import Testing

@testable import ModelPackage

@Suite struct ReferenceStatisticsTests {
    @Test func computesRawStatisticsOfTheTrainingRowsOnly() throws {
        let fixture = try VersionFixture(toyCSV)
        defer { fixture.remove() }
        let reference = ReferenceStatistics.compute(version: fixture.version, rows: Array(0..<15))
        #expect(reference.rows == 15)
        #expect(reference.columns.map(\.name) == ["x", "colour"])

        let x = reference.columns[0]
        let values = (0..<15).filter { $0 != 3 }.map { Double($0) * 0.5 - 2 }
        let mean = values.reduce(0, +) / 14
        let std = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 14).squareRoot()
        #expect(x.kind == .numeric && x.count == 14 && x.missing == 1)
        #expect(abs(x.mean! - mean) < 1e-12 && abs(x.std! - std) < 1e-12)
        #expect(x.min == -2 && x.max == 5)
        let edges = DatasetStatistics.decileEdges(sorted: values, min: -2, max: 5)
        #expect(x.histogram.edges == edges && edges.count == 11)
        var counts = [Int64](repeating: 0, count: edges.count - 1)
        for v in values { counts[Histogram(edges: edges, counts: counts).bin(of: v)] += 1 }
        #expect(x.histogram.counts == counts && counts.reduce(0, +) == 14)
        #expect(x.sample == values)

        let colour = reference.columns[1]
        #expect(colour.kind == .categorical && colour.count == 14 && colour.missing == 1)
        #expect(colour.histogram.levels == ["blue", "green", "red"] && colour.histogram.counts == [3, 4, 7])
        #expect(colour.unseen == 0 && colour.referenceCounts == [3, 4, 7, 0])
        #expect(colour.mean == nil && colour.sample == nil)
    }

    @Test func sampleKeepsEvenlySpacedOrderStatisticsOfLargeColumns() {
        let values = (0..<5000).map { Float((7919 * $0) % 5000) }
        let reference = ReferenceStatistics.numericReference("v", values: values + [.infinity], missing: 2)
        let sample = try! #require(reference.sample)
        #expect(sample.count == ReferenceStatistics.sampleLimit)
        #expect(sample.first == 0 && sample.last == 4999 && sample == sample.sorted())
        #expect(sample[1] == 5)
        #expect(reference.count == 5001 && reference.max == 4999)
        #expect(reference.histogram.counts.reduce(0, +) == 5001 && reference.histogram.counts.last == 501)
    }

    /// The radix-sorted path gives what sorting the Doubles and binning each value gives.
    @Test func radixSortedStatisticsMatchAComparisonSort() {
        var rng = SplitMix64(seed: 9)
        var values = (0..<20_000).map { _ in Float(rng.nextGaussianApproximation() * 3) }
        values += [
            0, 0, 1e-30, -1e-30, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .infinity, -.infinity, -.infinity,
        ]
        let reference = ReferenceStatistics.numericReference("v", values: values, missing: 0)
        let finite = values.filter(\.isFinite).map(Double.init).sorted()
        #expect(ReferenceStatistics.sortedFinite(values).sorted == finite)
        let edges = DatasetStatistics.decileEdges(sorted: finite, min: finite.first!, max: finite.last!)
        #expect(reference.histogram.edges == edges)
        #expect(reference.histogram.counts == reference.binCounts(values: values.map(Double.init)))
        #expect(reference.mean == finite.reduce(0, +) / Double(finite.count))
        #expect(reference.sample == (0..<ReferenceStatistics.sampleLimit).map { finite[$0 * (finite.count - 1) / 999] })
    }

    @Test func categoricalBinsCountUnseenLevelsLast() {
        let fixtureColumn = ColumnReference(
            name: "c", kind: .categorical, count: 3, missing: 0,
            histogram: Histogram(levels: ["a", "b"], counts: [1, 2]), unseen: 0)
        #expect(fixtureColumn.binCounts(values: [0, 1, 1, .nan, -1, 7, 0.5]) == [1, 2, 3])
    }

    func gaussian(_ n: Int, shift: Double, seed: UInt64) -> [Double] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { _ in rng.nextGaussianApproximation() + shift }
    }

    @Test func psiOfAShiftedSampleIsSignificantAndOfAnUnshiftedOneStable() {
        let reference = ReferenceStatistics.numericReference(
            "v", values: gaussian(5000, shift: 0, seed: 1).map(Float.init), missing: 0)
        let same = reference.drift(values: gaussian(2000, shift: 0, seed: 2))
        #expect(same.psi < 0.1 && same.psiLevel == "stable" && !same.drifted)
        #expect(same.ksPValue! > 0.05)
        let shifted = reference.drift(values: gaussian(2000, shift: 1, seed: 3))
        #expect(shifted.psi > 0.25 && shifted.psiLevel == "significant" && shifted.drifted)
        #expect(shifted.ksStatistic! > 0.3 && shifted.ksPValue! < 1e-6)
        #expect(shifted.outOfRange > 0)
    }

    @Test func compareReadsEncodedRowsPerColumn() throws {
        let fixture = try VersionFixture(toyCSV)
        defer { fixture.remove() }
        let reference = ReferenceStatistics.compute(version: fixture.version, rows: Array(0..<20))
        let schema = InputSchema(schema: fixture.version.schema)
        let encoder = InputEncoder(schema: schema)
        let header = ["x", "colour"]
        let sameRows = toyCSV.split(separator: "\n").dropFirst().map {
            $0.split(separator: ",", omittingEmptySubsequences: false).prefix(2).map(String.init)
        }
        let same = reference.compare(try encoder.encode(header: header, rows: sameRows), schema: schema)
        #expect(same.rows == 20 && same.columns.map(\.column) == ["x", "colour"])
        #expect(same.columns.allSatisfy { $0.psi < 1e-9 } && same.driftedColumns.isEmpty)
        #expect(same.columns.allSatisfy { $0.outOfRange == 0 && !$0.rangeFailed })

        let newRows = (0..<20).map { ["\(Double($0) + 40)", $0 % 2 == 0 ? "purple" : "red"] }
        let drifted = reference.compare(try encoder.encode(header: header, rows: newRows), schema: schema)
        #expect(drifted.driftedColumns == ["x", "colour"])
        #expect(drifted.columns[0].outOfRange == 20)
        #expect(drifted.columns[1].outOfRange == 10 && drifted.columns[1].rangeFailed)
    }

    @Test func compareAcceptsNumericRowsInInputOrder() throws {
        let manifest = numericManifest(ModelSpec(kind: .linear, inputs: 2))
        let report = try manifest.reference.compare(rows: [[0, 1], [1, .nan], [2, 9]], schema: manifest.input)
        #expect(report.rows == 3 && report.columns.map(\.outOfRange) == [0, 1])
        #expect(throws: ModelPackageError.raggedRow(row: 1, expected: 2, found: 1)) {
            try manifest.reference.compare(rows: [[0, 1], [1]], schema: manifest.input)
        }
    }
}
