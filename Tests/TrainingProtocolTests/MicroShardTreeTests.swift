import Testing

@testable import TrainingProtocol

@Suite("Micro-shard tree")
struct MicroShardTreeTests {
    @Test("nodes are the non-empty aligned power-of-two blocks")
    func subtrees() throws {
        let tree = try #require(MicroShardTree(leafCount: 5))
        for node in [0..<5, 0..<4, 4..<5, 0..<2, 2..<4, 3..<4, 0..<1] { #expect(tree.isSubtree(node), "\(node)") }
        for range in [2..<5, 1..<3, 0..<3, 5..<6, 3..<5, 4..<4, 1..<4] { #expect(!tree.isSubtree(range), "\(range)") }
        #expect(tree.children(of: 0..<5)! == (0..<4, 4..<5))
        #expect(tree.children(of: 0..<4)! == (0..<2, 2..<4))
        #expect(tree.children(of: 4..<5) == nil)
        #expect(tree.children(of: 1..<3) == nil)
        let seven = try #require(MicroShardTree(leafCount: 7))
        #expect(seven.children(of: 4..<7)! == (4..<6, 6..<7))
        #expect(MicroShardTree(leafCount: 0) == nil)
        #expect(MicroShardTree(leafCount: WireConstants.maxMicroShards + 1) == nil)
    }

    @Test("maximal subtrees cover exactly the owned leaves")
    func decomposition() throws {
        let tree = try #require(MicroShardTree(leafCount: 8))
        #expect(tree.maximalSubtrees(of: [2, 3, 4, 5, 6]) == [2..<4, 4..<6, 6..<7])
        #expect(tree.maximalSubtrees(of: 0..<8) == [0..<8])
        #expect(tree.maximalSubtrees(of: [9, -1]).isEmpty)
        var generator = SplitMix64(seed: 11)
        for _ in 0..<200 {
            let count = Int.random(in: 1...40, using: &generator)
            let tree = try #require(MicroShardTree(leafCount: count))
            let owned = Set((0..<count).filter { _ in Bool.random(using: &generator) })
            let pieces = tree.maximalSubtrees(of: owned)
            #expect(pieces.allSatisfy(tree.isSubtree))
            #expect(Set(pieces.flatMap { Array($0) }) == owned)
            #expect(pieces.map(\.count).reduce(0, +) == owned.count)
        }
    }

    @Test("contiguous partitions cover the leaves in order with sizes within one")
    func partitions() throws {
        let tree = try #require(MicroShardTree(leafCount: 10))
        #expect(tree.contiguousPartition(parts: 3) == [0..<3, 3..<6, 6..<10])
        #expect(tree.contiguousPartition(parts: 1) == [0..<10])
        #expect(tree.contiguousPartition(parts: 12).filter(\.isEmpty).count == 2)
    }

    /// Leaf gradients whose float sums depend on the order of addition.
    static func leaves(_ count: Int, seed: UInt64) -> [[Float]] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            (0..<4).map { _ in
                Float.random(in: -1...1, using: &generator) * Float(1 << Int.random(in: 0...24, using: &generator))
            }
        }
    }

    static func add(_ a: [Float], _ b: [Float]) -> [Float] { zip(a, b).map { $0 + $1 } }

    @Test("the root sum is bitwise the same for 1 to 6 workers pre-adding their subtrees")
    func workerCountIndependence() throws {
        var orderMatters = false
        for leafCount in 1...33 {
            let tree = try #require(MicroShardTree(leafCount: leafCount))
            let leaves = Self.leaves(leafCount, seed: UInt64(leafCount))
            let leafValue: (Range<Int>) -> [Float]? = { $0.count == 1 ? leaves[$0.lowerBound] : nil }
            let reference = try #require(tree.sum(tree.root, known: leafValue, add: Self.add))
            let sequential = leaves.dropFirst().reduce(leaves[0], Self.add)
            if sequential.map(\.bitPattern) != reference.map(\.bitPattern) { orderMatters = true }

            for workers in 1...6 {
                var received: [Range<Int>: [Float]] = [:]
                for owned in tree.contiguousPartition(parts: workers) {
                    for subtree in tree.maximalSubtrees(of: owned) {
                        received[subtree] = tree.sum(subtree, known: leafValue, add: Self.add)
                    }
                }
                let combined = try #require(tree.sum(tree.root, known: { received[$0] }, add: Self.add))
                #expect(
                    combined.map(\.bitPattern) == reference.map(\.bitPattern), "\(leafCount) leaves, \(workers) workers"
                )
            }
        }
        #expect(orderMatters, "the test data must be order-sensitive, or it proves nothing")
    }

    @Test("the sum is incomplete while a leaf is missing")
    func incomplete() throws {
        let tree = try #require(MicroShardTree(leafCount: 6))
        let known: [Range<Int>: Double] = [0..<4: 1, 4..<5: 2]
        #expect(tree.sum(tree.root, known: { known[$0] }, add: +) == nil)
        let complete = known.merging([5..<6: 3]) { a, _ in a }
        #expect(tree.sum(tree.root, known: { complete[$0] }, add: +) == 6)
    }
}
