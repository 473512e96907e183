import Datasets
import Foundation
import Testing

@Suite struct SplitTests {
    @Test func splitMixMatchesTheReferenceStream() {
        // Python reference implementation of SplitMix64 (Steele et al.), seed 42.
        var rng = SplitMix64(seed: 42)
        #expect(
            [rng.next(), rng.next(), rng.next()] == [
                13_679_457_532_755_275_413, 2_949_826_092_126_892_291, 5_139_283_748_462_763_858,
            ])
    }

    @Test func splitsAreDeterministicDisjointAndComplete() throws {
        let a = try DatasetSplit.make(rowCount: 1000, validation: 0.2, test: 0.1, seed: 7)
        let b = try DatasetSplit.make(rowCount: 1000, validation: 0.2, test: 0.1, seed: 7)
        let c = try DatasetSplit.make(rowCount: 1000, validation: 0.2, test: 0.1, seed: 8)
        #expect(a == b)
        #expect(a != c)
        #expect(a.validation.count == 200 && a.test.count == 100 && a.train.count == 700)
        #expect(Set(a.train + a.validation + a.test).count == 1000)
        #expect(a.train == a.train.sorted())
    }

    @Test func stratifiedSplitKeepsClassShares() throws {
        let labels = (0..<1000).map { Float($0 < 900 ? 0 : 1) }
        let split = try DatasetSplit.make(rowCount: 1000, validation: 0.2, seed: 1, stratifyBy: labels)
        #expect(split.validation.filter { labels[$0] == 1 }.count == 20)
        #expect(split.validation.filter { labels[$0] == 0 }.count == 180)
        #expect(split == (try DatasetSplit.make(rowCount: 1000, validation: 0.2, seed: 1, stratifyBy: labels)))
    }

    @Test func badFractionsAreRejected() {
        #expect(datasetError { _ = try DatasetSplit.make(rowCount: 10, validation: 0.6, test: 0.5, seed: 0) } != nil)
        #expect(datasetError { _ = try DatasetSplit.make(rowCount: 10, validation: -0.1, seed: 0) } != nil)
    }

    @Test func epochPermutationsDependOnSeedAndEpoch() {
        let p0 = EpochOrder.permutation(count: 500, seed: 3, epoch: 0)
        #expect(p0 == EpochOrder.permutation(count: 500, seed: 3, epoch: 0))
        #expect(p0 != EpochOrder.permutation(count: 500, seed: 3, epoch: 1))
        #expect(p0 != EpochOrder.permutation(count: 500, seed: 4, epoch: 0))
        #expect(p0.sorted() == Array(0..<500))
    }

    /// The shuffle draws ahead and prefetches; it must swap exactly as the plain Fisher–Yates loop
    /// (the order every worker, the coordinator and the DDP peer's port derive), at every size
    /// around the lookahead and on values that are not 0..<n.
    @Test func shuffleMatchesThePlainFisherYatesLoop() {
        for count in [0, 1, 2, 3, 15, 16, 17, 18, 31, 32, 33, 1000, 100_003] {
            for seed: UInt64 in [0, 7] {
                let values = (0..<count).map { $0 * 3 + 1 }
                var expected = values
                var reference = SplitMix64(seed: seed, stream: 11)
                if count > 1 {
                    for i in stride(from: count - 1, to: 0, by: -1) {
                        expected.swapAt(i, Int(reference.nextBelow(UInt64(i + 1))))
                    }
                }
                var shuffled = values
                var rng = SplitMix64(seed: seed, stream: 11)
                DatasetSplit.shuffle(&shuffled, using: &rng)
                #expect(shuffled == expected, "count \(count), seed \(seed)")
                #expect(rng.state == reference.state, "the generator advanced differently (count \(count))")
            }
        }
    }
}

@Suite struct TransformTests {
    let features: [Float] = [1, 10, .nan, 20, 3, .nan, 5, 40]

    @Test func imputeThenStandardizeFitsAndApplies() throws {
        let fitted = FittedTransforms.fit([.imputeMean, .standardize], features: features, featureCount: 2)
        #expect(fitted.steps[0].fill == [3, Float(70.0 / 3)])
        var row: [Float] = [.nan, 10]
        fitted.apply(row: &row)
        let std0 = Float(2.0.squareRoot())
        #expect(abs(row[0] - 0) < 1e-6)
        #expect(abs(row[1] - (10 - Float(70.0 / 3)) * fitted.steps[1].scale![1]) < 1e-5)
        var all = features
        all.withUnsafeMutableBufferPointer { fitted.apply(rows: $0) }
        let column0 = stride(from: 0, to: 8, by: 2).map { all[$0] }
        #expect(abs(column0.reduce(0, +)) < 1e-5)
        #expect(abs(fitted.steps[1].scale![0] - 1 / std0) < 1e-5)
    }

    @Test func minMaxMedianAndConstant() {
        let fitted = FittedTransforms.fit([.imputeMedian, .minMax], features: features, featureCount: 2)
        #expect(fitted.steps[0].fill == [3, 20])
        var row: [Float] = [5, .nan]
        fitted.apply(row: &row)
        #expect(row[0] == 1 && abs(row[1] - Float(1.0 / 3.0)) < 1e-6)
        let constant = FittedTransforms.fit([.imputeConstant(-1)], features: features, featureCount: 2)
        var r2: [Float] = [.nan, .nan]
        constant.apply(row: &r2)
        #expect(r2 == [-1, -1])
    }

    @Test func roundTripsThroughJSON() throws {
        let fitted = FittedTransforms.fit([.imputeMedian, .standardize], features: features, featureCount: 2)
        let decoded = try FittedTransforms(json: try fitted.jsonData())
        #expect(decoded == fitted)
        var a: [Float] = [2, .nan]
        var b = a
        fitted.apply(row: &a)
        decoded.apply(row: &b)
        #expect(a == b)
        #expect(
            datasetError {
                _ = try FittedTransforms(
                    json: Data(
                        "{\"featureCount\":3,\"steps\":[{\"transform\":{\"standardize\":{}},\"offset\":[1],\"scale\":[1]}]}"
                            .utf8))
            } != nil)
    }

    @Test func parsesConfigSpellings() throws {
        #expect(try TransformSpec(parsing: "standardize") == .standardize)
        #expect(try TransformSpec(parsing: "minmax") == .minMax)
        #expect(try TransformSpec(parsing: "impute_median") == .imputeMedian)
        #expect(try TransformSpec(parsing: "impute_constant=2.5") == .imputeConstant(2.5))
        #expect(datasetError { _ = try TransformSpec(parsing: "normalise") } != nil)
    }

    @Test func fitsOnStoredTrainingRowsAndSkipsOneHot() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let url = try f.write("t.csv", "x,c,label\n1,a,0\n3,b,1\n5,a,0\n100,b,1\n")
        let version = try f.store.open(digest: try f.importFile(url).digest)
        let fitted = FittedTransforms.fit([.standardize], version: version, rows: [0, 1, 2])
        #expect(fitted.steps[0].offset == [3, 0, 0])
        #expect(fitted.steps[0].scale?[1] == 1 && fitted.steps[0].scale?[2] == 1)
    }
}
