/// A deterministic train / validation / test partition of row indices.
///
/// Built from a seeded SplitMix64 permutation, so the same (row count, fractions, seed, labels)
/// give the same split on every platform. Each part is sorted ascending.
package struct DatasetSplit: Sendable, Codable, Equatable {
    package var train: [Int]
    package var validation: [Int]
    package var test: [Int]

    /// Splits `0..<rowCount`: `validation` and `test` are fractions in [0, 1) with sum < 1; the
    /// sizes are `round(fraction × n)` (per class when stratified by `labels`, which must have
    /// `rowCount` entries). Throws ``DatasetError/invalidRequest(_:)`` for bad fractions.
    /// Complexity O(n log n).
    package static func make(
        rowCount: Int, validation: Double, test: Double = 0, seed: UInt64,
        stratifyBy labels: [Float]? = nil
    ) throws -> DatasetSplit {
        guard validation >= 0, test >= 0, validation + test < 1 else {
            throw DatasetError.invalidRequest(
                "split fractions validation=\(validation) test=\(test) must be ≥ 0 "
                    + "and sum to less than 1")
        }
        if let labels, labels.count != rowCount {
            throw DatasetError.invalidRequest("stratified split: \(labels.count) labels for \(rowCount) rows")
        }
        var groups: [[Int]]
        if let labels {
            var byClass: [Float: [Int]] = [:]
            for (i, label) in labels.enumerated() { byClass[label, default: []].append(i) }
            groups = byClass.keys.sorted().map { byClass[$0]! }
        } else {
            groups = [Array(0..<rowCount)]
        }
        var split = DatasetSplit(train: [], validation: [], test: [])
        for (g, group) in groups.enumerated() {
            var rng = SplitMix64(seed: seed, stream: 0x5350_4C49_5400 &+ UInt64(g))
            var members = group
            shuffle(&members, using: &rng)
            let nTest = Int((Double(members.count) * test).rounded())
            let nValidation = min(members.count - nTest, Int((Double(members.count) * validation).rounded()))
            split.test += members[0..<nTest]
            split.validation += members[nTest..<(nTest + nValidation)]
            split.train += members[(nTest + nValidation)...]
        }
        split.train.sort()
        split.validation.sort()
        split.test.sort()
        return split
    }

    /// Fisher–Yates shuffle with unbiased bounded draws; platform-independent.
    ///
    /// Fisher–Yates from the top: for i = n−1 down to 1, swap i with j = `nextBelow(i + 1)`. The
    /// draws do not depend on the values, so they are made ``shuffleLookahead`` iterations early
    /// (in the same order) and the element at j is prefetched: each swap's random access into a
    /// large array (an 800,000-row epoch order is 6.4 MB) then no longer waits for its own cache
    /// miss. Same permutation as the plain loop, element for element.
    package static func shuffle(_ values: inout [Int], using rng: inout SplitMix64) {
        guard values.count > 1 else { return }
        values.withUnsafeMutableBufferPointer { v in
            let base = v.baseAddress!
            let mask = shuffleLookahead - 1
            withUnsafeTemporaryAllocation(of: Int.self, capacity: shuffleLookahead) { ring in
                /// The next iteration whose j has not been drawn yet.
                var undrawn = v.count - 1
                for i in stride(from: v.count - 1, to: 0, by: -1) {
                    while undrawn >= 1 && undrawn >= i - mask {
                        let j = Int(rng.nextBelow(UInt64(undrawn + 1)))
                        ring[undrawn & mask] = j
                        prefetchLine(UnsafeRawPointer(base + j))
                        undrawn -= 1
                    }
                    let j = ring[i & mask]
                    let held = base[i]
                    base[i] = base[j]
                    base[j] = held
                }
            }
        }
    }

    /// How many draws ``shuffle(_:using:)`` makes ahead of its swaps (a power of two).
    static let shuffleLookahead = 16
}

/// Per-epoch row order: a permutation that depends only on (seed, epoch).
package enum EpochOrder {
    /// A permutation of `0..<count` for `epoch`. Complexity O(count).
    package static func permutation(count: Int, seed: UInt64, epoch: Int) -> [Int] {
        var order = Array(0..<count)
        shuffle(&order, seed: seed, epoch: epoch)
        return order
    }

    /// Shuffles `indices` (e.g. the training split) in the order for (seed, epoch).
    package static func shuffle(_ indices: inout [Int], seed: UInt64, epoch: Int) {
        var rng = SplitMix64(seed: seed, stream: 0x4550_4F43_4800_0000 &+ UInt64(truncatingIfNeeded: epoch))
        DatasetSplit.shuffle(&indices, using: &rng)
    }
}
