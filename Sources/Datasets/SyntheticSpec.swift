import Foundation

/// A synthetic dataset, reproducible bit for bit from its seed on every platform (SplitMix64 and
/// IEEE arithmetic only; see ``SplitMix64/nextGaussianApproximation()``).
///
/// - classification: `classes` centres drawn with spread `separation`; each row picks a class
///   uniformly and adds unit noise to its centre. Labels are class indices `0..<classes`.
/// - regression: features are unit noise, the target is `x · w + 0.1 · noise` for weights `w`
///   drawn from the seed.
package struct SyntheticSpec: Sendable, Equatable, CustomStringConvertible {
    package var kind: TaskKind
    package var rows: Int
    package var features: Int
    package var classes: Int
    package var seed: UInt64
    /// Spread of the class centres (classification); larger is easier.
    package var separation: Double

    package init(kind: TaskKind, rows: Int, features: Int, classes: Int = 2, seed: UInt64 = 0, separation: Double = 1.5)
    {
        self.kind = kind
        self.rows = rows
        self.features = features
        self.classes = classes
        self.seed = seed
        self.separation = separation
    }

    package var description: String {
        "generated \(kind.rawValue) rows=\(rows) features=\(features)"
            + (kind == .classification ? " classes=\(classes)" : "") + " seed=\(seed)"
    }

    /// Checks the sizes; throws ``DatasetError/invalidRequest(_:)`` naming the bad value.
    package func validate() throws {
        guard rows > 0 else { throw DatasetError.invalidRequest("--rows must be positive, got \(rows)") }
        guard features > 0, features <= 1_000_000 else {
            throw DatasetError.invalidRequest("--features must be in 1...1000000, got \(features)")
        }
        if kind == .classification, !(2...RawTableBuilder.maxNumericClasses).contains(classes) {
            throw DatasetError.invalidRequest(
                "--classes must be in 2...\(RawTableBuilder.maxNumericClasses), got \(classes)")
        }
    }

    func write(spillDirectory: URL) throws -> RawTableBuilder {
        try validate()
        var columns = (0..<features).map { RawColumn(name: "x\($0)", kind: .numeric) }
        columns.append(RawColumn(name: "label", kind: .numeric))
        let builder = try RawTableBuilder(
            columns: columns, labelIndex: features,
            spillPath: spillDirectory.appendingPathComponent("rows.spill").path)
        var parameters = SplitMix64(seed: seed, stream: 1)
        var noise = SplitMix64(seed: seed, stream: 2)
        switch kind {
        case .classification:
            let centres = (0..<(classes * features)).map { _ in parameters.nextGaussianApproximation() * separation }
            for _ in 0..<rows {
                let row = builder.row
                let k = Int(noise.nextBelow(UInt64(classes)))
                for j in 0..<features { row[j] = Float(centres[k * features + j] + noise.nextGaussianApproximation()) }
                row[features] = Float(k)
                try builder.commitRow()
            }
        case .regression:
            let weights = (0..<features).map { _ in
                parameters.nextGaussianApproximation() / Double(features).squareRoot()
            }
            for _ in 0..<rows {
                let row = builder.row
                var y = 0.0
                for j in 0..<features {
                    let x = noise.nextGaussianApproximation()
                    row[j] = Float(x)
                    y += x * weights[j]
                }
                row[features] = Float(y + 0.1 * noise.nextGaussianApproximation())
                try builder.commitRow()
            }
        }
        return builder
    }
}
