import JobConfiguration
import Sweeps
import Testing

/// Sweep documents: defaults, the ASHA rungs, and errors naming the key.
struct SweepSpecTests {
    static let search: ConfigValue = .map([
        (key: "optimizer.lr", value: .map([(key: "loguniform", value: .list([.double(0.001), .double(0.5)]))]))
    ])

    static func document(_ extra: [(String, ConfigValue)]) -> ConfigValue {
        .map([(key: "search", value: search)] + extra.map { (key: $0.0, value: $0.1) })
    }

    @Test func defaultsAreRandomSearchMinimizingValidationLoss() throws {
        let spec = try SweepSpec(parsing: Self.document([]))
        #expect(spec.algorithm == .random)
        #expect(spec.objective == SweepSpec.Objective(metric: "val_loss", mode: .min))
        #expect(spec.trials == 10 && spec.parallel == 1 && spec.seed == 0 && spec.register == nil)
    }

    @Test func ashaRungsFollowTheReductionFactor() throws {
        let spec = try SweepSpec(
            parsing: Self.document([
                (
                    "algorithm",
                    .map([
                        (key: "kind", value: .string("asha")), (key: "min_resource", value: .int(1)),
                        (key: "max_resource", value: .int(27)), (key: "reduction_factor", value: .int(3)),
                    ])
                ),
                ("objective", .map([(key: "metric", value: .string("val_accuracy"))])),
            ]))
        guard case .asha(let settings) = spec.algorithm else { Issue.record("not asha"); return }
        #expect(settings.rungs == [1, 3, 9, 27])
        #expect(spec.objective.mode == .max)
        #expect(
            try ASHASettings(minResource: 2, maxResource: 20, reductionFactor: 2, gracePeriod: 5).rungs == [8, 16, 20])
    }

    @Test(
        arguments: [
            (
                [("algorithm", ConfigValue.map([(key: "kind", value: .string("asha"))]))],
                "algorithm.max_resource: is required for asha (epochs of a fully trained trial)"
            ),
            (
                [
                    (
                        "algorithm",
                        .map([
                            (key: "kind", value: .string("asha")), (key: "max_resource", value: .int(9)),
                            (key: "reduction_factor", value: .int(1)),
                        ])
                    )
                ],
                "algorithm.reduction_factor: must be at least 2, found 1"
            ),
            (
                [("algorithm", .map([(key: "kind", value: .string("bayes"))]))],
                "algorithm.kind: unknown algorithm 'bayes' (expected grid, random or asha)"
            ),
            (
                [("algorithm", .map([(key: "kind", value: .string("grid"))]))],
                "search.optimizer.lr: grid search needs a finite set of values: use choice, int or quniform"
            ),
            (
                [("objective", .map([(key: "mode", value: .string("maximize"))]))],
                "objective.mode: expected min or max, found 'maximize'"
            ),
            ([("trials", .int(0))], "trials: must be at least 1, found 0"),
            ([("parallel", .string("two"))], "parallel: expected an integer, found a string \"two\""),
            ([("register", .map([(key: "alias", value: .string("staging"))]))], "register.model: is required"),
            (
                [("objective", .map([(key: "metrc", value: .string("val_loss"))]))],
                "objective.metrc: unknown key (did you mean 'objective.metric'?)"
            ),
            (
                [("searchh", .map([]))],
                "searchh: unknown key (did you mean 'search'?)"
            ),
        ] as [([(String, ConfigValue)], String)])
    func invalidDocumentsNameTheKey(_ extra: [(String, ConfigValue)], _ message: String) {
        do {
            _ = try SweepSpec(parsing: Self.document(extra))
            Issue.record("accepted \(extra)")
        } catch {
            #expect("\(error)" == message)
        }
    }
}
