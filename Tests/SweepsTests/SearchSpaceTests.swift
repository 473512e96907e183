import Foundation
import JobConfiguration
import Sweeps
import Testing

/// Search spaces: the grid is the Cartesian product, random draws are reproducible, and invalid
/// dimensions are rejected with a message naming the key.
struct SearchSpaceTests {
    static func space(_ entries: [(String, ConfigValue)]) throws -> SearchSpace {
        try SearchSpace(parsing: .map(entries.map { (key: $0.0, value: $0.1) }))
    }

    static func choice(_ values: [ConfigValue]) -> ConfigValue { .map([(key: "choice", value: .list(values))]) }

    static func range(_ kind: String, _ bounds: [ConfigValue]) -> ConfigValue {
        .map([(key: kind, value: .list(bounds))])
    }

    @Test func gridIsTheCartesianProductInOrder() throws {
        let space = try Self.space([
            ("optimizer.lr", Self.choice([.double(0.1), .double(0.01)])),
            ("model.hidden", Self.choice([.list([.int(8)]), .list([.int(16), .int(8)]), .list([.int(32)])])),
            (
                "training.batch_size",
                .map([(key: "int", value: .list([.int(32), .int(96)])), (key: "step", value: .int(32))])
            ),
        ])
        let grid = try space.grid()
        #expect(grid.count == 2 * 3 * 3)
        #expect(Set(grid).count == grid.count)
        var expected: [[ParameterAssignment]] = []
        for lr in [0.1, 0.01] {
            for hidden in [[8], [16, 8], [32]] {
                for batch in [32, 64, 96] {
                    expected.append([
                        ParameterAssignment(key: "optimizer.lr", value: .double(lr)),
                        ParameterAssignment(key: "model.hidden", value: .list(hidden.map(ParameterValue.int))),
                        ParameterAssignment(key: "training.batch_size", value: .int(batch)),
                    ])
                }
            }
        }
        #expect(grid == expected)
    }

    @Test func gridRejectsContinuousDimensions() throws {
        let space = try Self.space([("optimizer.lr", Self.range("uniform", [.double(0.1), .double(0.2)]))])
        #expect(
            throws: SweepSpecError(
                key: "search.optimizer.lr",
                "grid search needs a finite set of values: use choice, int or quniform")
        ) {
            try space.grid()
        }
    }

    static func number(_ value: ParameterValue) -> Double? {
        switch value {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    @Test func seededRandomSearchIsReproducibleAndWithinBounds() throws {
        let space = try Self.space([
            ("optimizer.lr", Self.range("loguniform", [.double(1e-4), .double(0.5)])),
            ("optimizer.momentum", Self.range("uniform", [.double(0), .double(0.9)])),
            (
                "training.batch_size",
                .map([(key: "int", value: .list([.int(16), .int(256)])), (key: "step", value: .int(16))])
            ),
            ("optimizer.weight_decay", Self.range("quniform", [.double(0), .double(0.01), .double(0.001)])),
            ("model.activation", Self.choice([.string("relu"), .string("tanh")])),
        ])
        let first = (0..<50).map { space.sample(seed: 9, trial: $0) }
        let again = (0..<50).reversed().map { space.sample(seed: 9, trial: $0) }.reversed()
        #expect(first == Array(again))
        let other = (0..<50).map { space.sample(seed: 10, trial: $0) }
        #expect(first != other)
        for trial in first {
            let lr = try #require(Self.number(trial[0].value))
            #expect(lr >= 1e-4 && lr <= 0.5)
            let momentum = try #require(Self.number(trial[1].value))
            #expect(momentum >= 0 && momentum <= 0.9)
            guard case .int(let batch) = trial[2].value else { Issue.record("batch size is not an int"); continue }
            #expect(batch % 16 == 0 && (16...256).contains(batch))
            let decay = try #require(Self.number(trial[3].value))
            #expect(abs(decay * 1000 - (decay * 1000).rounded()) < 1e-9 && decay <= 0.01)
        }
        // Log-uniform: about half of the draws below the geometric midpoint.
        let low = first.filter { Self.number($0[0].value)! < (1e-4 * 0.5).squareRoot() }.count
        #expect((12...38).contains(low))
    }

    @Test(
        arguments: [
            (SearchSpaceTests.choice([]), "search.model.hidden: choice needs at least one value (the list is empty)"),
            (
                SearchSpaceTests.range("uniform", [.double(0.5), .double(0.1)]),
                "search.model.hidden: low 0.5 is greater than high 0.1"
            ),
            (
                SearchSpaceTests.range("loguniform", [.int(0), .double(0.1)]),
                "search.model.hidden: loguniform needs bounds > 0 (the log of 0 is undefined)"
            ),
            (
                SearchSpaceTests.range("loguniform", [.double(-1), .double(0.1)]),
                "search.model.hidden: loguniform needs bounds > 0 (the log of -1 is undefined)"
            ),
            (SearchSpaceTests.range("int", [.int(8), .int(2)]), "search.model.hidden: low 8 is greater than high 2"),
            (
                SearchSpaceTests.range("normal", [.int(0), .int(1)]),
                "search.model.hidden: unknown distribution 'normal' (expected choice, uniform, loguniform, int or quniform)"
            ),
            (
                SearchSpaceTests.range("uniform", [.int(0)]),
                "search.model.hidden: uniform expects [low, high], found a list of 1"
            ),
        ] as [(ConfigValue, String)])
    func invalidDimensionsNameTheKey(_ dimension: ConfigValue, _ message: String) {
        do {
            _ = try Self.space([("model.hidden", dimension)])
            Issue.record("accepted \(dimension)")
        } catch {
            #expect("\(error)" == message)
        }
    }

    @Test func parameterValuesKeepTheirTypeThroughJSON() throws {
        let values: [ParameterValue] = [
            .int(1), .double(1), .double(0.1), .string("relu"), .bool(true),
            .list([.int(256), .int(128)]),
        ]
        let decoded = try JSONDecoder().decode([ParameterValue].self, from: try JSONEncoder().encode(values))
        #expect(decoded == values)
    }
}
