/// Ranks existing names by similarity to what the user typed, for "did you mean" hints.
enum NearMatches {
    /// Up to `limit` names from `candidates` close to `input`: same prefix, containment, or an edit
    /// distance (transpositions count once) of at most a third of the input's length, rounded up.
    /// O(n · |input| · |name|).
    static func rank(_ input: String, among candidates: [String], limit: Int = 5) -> [String] {
        let needle = input.lowercased()
        guard !needle.isEmpty else { return [] }
        let threshold = max(1, (needle.count + 2) / 3)
        var scored: [(score: Int, name: String)] = []
        for name in Set(candidates) {
            let lower = name.lowercased()
            if lower.hasPrefix(needle) || needle.hasPrefix(lower) {
                scored.append((0, name))
            } else if lower.contains(needle) || needle.contains(lower) {
                scored.append((1, name))
            } else {
                let distance = editDistance(Array(needle), Array(lower))
                if distance <= threshold { scored.append((1 + distance, name)) }
            }
        }
        return scored.sorted { ($0.score, $0.name) < ($1.score, $1.name) }.prefix(limit).map(\.name)
    }

    /// Edit distance where insertions, deletions, substitutions and adjacent transpositions each
    /// cost 1 (optimal string alignment).
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var beforePrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], beforePrevious[j - 2] + 1)
                }
            }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[b.count]
    }
}
