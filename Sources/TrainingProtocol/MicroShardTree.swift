/// The fixed summation tree over a global batch's micro-shards, which makes sync-mode results
/// independent of the worker count.
///
/// Leaves are micro-shard indices `0 ..< leafCount`. The nodes are the aligned blocks
/// `[k·2^j, min((k+1)·2^j, leafCount))` that are non-empty; a node's value is its left child plus its
/// right child (the left child is the first half of the block), and a node with one non-empty child
/// is that child. Any process that adds along this tree gets the same bits, so a worker owning a
/// whole subtree may send it pre-added. See `docs/PROTOCOL.md`, "Micro-shards".
package struct MicroShardTree: Sendable, Hashable {
    /// The number of leaves (micro-shards per global batch), 1 ... 65,536.
    package let leafCount: Int

    /// A tree with `leafCount` leaves; nil outside 1 ... ``WireConstants/maxMicroShards``.
    package init?(leafCount: Int) {
        guard (1...WireConstants.maxMicroShards).contains(leafCount) else { return nil }
        self.leafCount = leafCount
    }

    init(validatedLeafCount: Int) { leafCount = validatedLeafCount }

    /// The whole batch.
    package var root: Range<Int> { 0..<leafCount }

    /// The smallest power-of-two span whose aligned block starting at `node.lowerBound` is `node`, if any.
    private func span(of node: Range<Int>) -> Int? {
        guard !node.isEmpty, node.lowerBound >= 0, node.upperBound <= leafCount else { return nil }
        var span = 1
        while node.lowerBound.isMultiple(of: span) && span <= 2 * leafCount {
            if min(node.lowerBound + span, leafCount) == node.upperBound { return span }
            span *= 2
        }
        return nil
    }

    /// True when `leaves` is exactly the leaf set of a node. Complexity: O(log leafCount).
    package func isSubtree(_ leaves: Range<Int>) -> Bool { span(of: leaves) != nil }

    /// The two children of a node, or nil for a leaf or a range that is not a node.
    package func children(of node: Range<Int>) -> (left: Range<Int>, right: Range<Int>)? {
        guard node.count > 1, let span = span(of: node) else { return nil }
        let middle = node.lowerBound + span / 2
        return (node.lowerBound..<middle, middle..<node.upperBound)
    }

    /// The value of `node` added along the tree: `known(n)` supplies values for leaves or pre-added
    /// subtrees (it is asked first at each node); nil when some leaf below is unknown.
    /// Complexity: O(nodes visited); `add` is called once per internal node computed.
    package func sum<T>(_ node: Range<Int>, known: (Range<Int>) -> T?, add: (T, T) -> T) -> T? {
        if let value = known(node) { return value }
        guard let (left, right) = children(of: node),
            let leftValue = sum(left, known: known, add: add),
            let rightValue = sum(right, known: known, add: add)
        else { return nil }
        return add(leftValue, rightValue)
    }

    /// The largest subtrees made only of `leaves`, in leaf order: what a worker holding those
    /// micro-shards sends, one result per subtree. Indices outside the tree are ignored.
    /// Complexity: O(leafCount).
    package func maximalSubtrees(of leaves: some Sequence<Int>) -> [Range<Int>] {
        var owned = [Int](repeating: 0, count: leafCount + 1)
        for leaf in leaves where leaf >= 0 && leaf < leafCount { owned[leaf + 1] = 1 }
        for index in 0..<leafCount { owned[index + 1] += owned[index] }
        var result: [Range<Int>] = []
        func visit(_ node: Range<Int>) {
            let held = owned[node.upperBound] - owned[node.lowerBound]
            if held == node.count {
                result.append(node)
            } else if held > 0, let (left, right) = children(of: node) {
                visit(left)
                visit(right)
            }
        }
        visit(root)
        return result
    }

    /// Splits the leaves into `parts` contiguous ranges whose sizes differ by at most one, in order
    /// (empty ranges when `parts > leafCount`). Precondition: `parts ≥ 1`.
    package func contiguousPartition(parts: Int) -> [Range<Int>] {
        precondition(parts >= 1, "contiguousPartition needs at least one part")
        return (0..<parts).map { part in (part * leafCount / parts)..<((part + 1) * leafCount / parts) }
    }
}
