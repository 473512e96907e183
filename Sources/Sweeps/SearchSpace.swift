import GradientCore
import JobConfiguration

/// The dimensions a sweep varies: dotted job-config keys, each with a ``Distribution``, in the
/// order the sweep file lists them.
package struct SearchSpace: Equatable, Sendable {
    package let dimensions: [(key: String, distribution: Distribution)]

    package init(_ dimensions: [(key: String, distribution: Distribution)]) {
        self.dimensions = dimensions
    }

    package static func == (a: SearchSpace, b: SearchSpace) -> Bool {
        a.dimensions.count == b.dimensions.count
            && zip(a.dimensions, b.dimensions).allSatisfy { $0.key == $1.key && $0.distribution == $1.distribution }
    }

    /// Parses the `search:` mapping (`optimizer.lr: {loguniform: [0.001, 0.5]}`).
    /// - Throws: ``SweepSpecError`` naming `search.KEY`.
    package init(parsing value: ConfigValue) throws {
        guard case .map(let entries) = value else {
            throw SweepSpecError(
                key: "search", "expected a mapping of dotted job keys to distributions, found \(value.typeDescription)")
        }
        guard !entries.isEmpty else { throw SweepSpecError(key: "search", "names no dimension to vary") }
        dimensions = try entries.map { entry in
            (entry.key, try Distribution(parsing: entry.value, key: "search.\(entry.key)"))
        }
    }

    /// Trial `index` of a random search: each trial draws from its own Philox stream
    /// (`seed`, `index`), so a trial's parameters do not depend on the order trials run in,
    /// and a resumed sweep draws exactly what the interrupted one would have.
    package func sample(seed: UInt64, trial index: Int) -> [ParameterAssignment] {
        var rng = Philox(seed: seed, stream: UInt64(index))
        return dimensions.map { ParameterAssignment(key: $0.key, value: $0.distribution.sample(&rng)) }
    }

    /// Every combination, the last dimension varying fastest.
    ///
    /// Complexity: O(product of the dimension sizes).
    /// - Throws: ``SweepSpecError`` naming a continuous dimension (uniform, loguniform).
    package func grid() throws -> [[ParameterAssignment]] {
        var combinations: [[ParameterAssignment]] = [[]]
        for (key, distribution) in dimensions {
            guard let values = distribution.gridValues else {
                throw SweepSpecError(
                    key: "search.\(key)",
                    "grid search needs a finite set of values: use choice, int or quniform")
            }
            combinations = combinations.flatMap { prefix in
                values.map { prefix + [ParameterAssignment(key: key, value: $0)] }
            }
        }
        return combinations
    }
}
