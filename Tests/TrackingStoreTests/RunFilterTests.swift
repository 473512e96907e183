import Foundation
import Testing
import TrackingStore

@Suite struct RunFilterTests {
    @Test func parsesComparisonsJoinedWithAnd() throws {
        let filter = try RunFilter(
            parsing:
                #"metrics.val_accuracy > 0.9 AND params.optimizer = "adam" and tags.`my tag` != 'x' and tags.release"#)
        #expect(filter.clauses.count == 4)
        #expect(filter.clauses[0].field == .metric("val_accuracy"))
        #expect(filter.clauses[0].comparison?.op == .greater)
        #expect(filter.clauses[0].comparison?.value == .number(0.9, text: "0.9"))
        #expect(filter.clauses[1].comparison?.value == .string("adam"))
        #expect(filter.clauses[2].field == .tag("my tag"))
        #expect(filter.clauses[3].comparison == nil)
        #expect(try RunFilter(parsing: "metrics.loss<=1e-3").clauses[0].comparison?.op == .lessOrEqual)
        #expect(try RunFilter(parsing: #"attributes.status = "finished""#).clauses[0].field == .attribute(.status))
    }

    @Test(arguments: [
        ("metrics.val_accuracy >> 0.9", 22, "a number"),
        ("metrics.val_accuracy 0.9", 21, "comparison operator"),
        ("metric val_accuracy > 1", 0, "metrics.KEY"),
        ("foo.x = 1", 0, "metrics.KEY"),
        (#"metrics.acc = "high""#, 14, "metrics are numeric"),
        (#"params.opt = "adam"#, 13, "closing"),
        ("metrics.acc > 0.9 or params.x = 1", 18, "'and'"),
        ("attributes.colour = 1", 11, "an attribute"),
        (#"attributes.status = "DONE""#, 20, "a status"),
        ("", 0, "metrics.KEY"),
        ("metrics.acc > 0.9 and", 21, "metrics.KEY"),
    ])
    func pointsAtTheProblem(expression: String, position: Int, expected: String) throws {
        do {
            _ = try RunFilter(parsing: expression)
            Issue.record("'\(expression)' must not parse")
        } catch let error as TrackingError {
            guard case .malformedExpression(let text, let at, let what) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(text == expression)
            #expect(at == position, "\(expression): \(what)")
            #expect(what.contains(expected), "\(expression): \(what)")
            let lines = error.description.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count == 3)
            #expect(lines.last.map(String.init) == "  " + String(repeating: " ", count: position) + "^")
        }
    }

    @Test func parsesSortKeys() throws {
        #expect(
            try RunSort(parsing: "-metrics.val_accuracy") == RunSort(field: .metric("val_accuracy"), descending: true))
        #expect(try RunSort(parsing: "params.lr") == RunSort(field: .param("lr"), descending: false))
        #expect(try RunSort(parsing: "start_time") == RunSort(field: .attribute(.startTime), descending: false))
        do {
            _ = try RunSort(parsing: "-metrix.acc")
            Issue.record("bad sort key must fail")
        } catch TrackingError.malformedExpression(_, let position, _) {
            #expect(position == 1)
        }
    }

    /// Twelve runs with known params and metrics; returns their ids in creation order.
    private func seed(_ store: TrackingStore) throws -> [String] {
        var ids: [String] = []
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        for i in 0..<12 {
            let id = try store.startRun(
                experiment: i < 8 ? "digits" : "iris", name: "run-\(i)", startTime: start.addingTimeInterval(Double(i)))
            try store.logParams(
                runID: id, ["optimizer": i % 2 == 0 ? "adam" : "sgd", "lr": String(Double(i + 1) / 100)])
            try store.logMetrics([
                MetricPoint(runID: id, key: "val_accuracy", step: 0, value: 0.1),
                MetricPoint(runID: id, key: "val_accuracy", step: 1, value: 0.5 + Double(i) / 24),
            ])
            if i % 3 == 0 { try store.setTag(runID: id, key: "release", value: "yes") }
            if i != 11 { try store.finishRun(id, status: i == 4 ? .failed : .finished) }
            ids.append(id)
        }
        return ids
    }

    @Test func filtersAndSortsInSQL() throws {
        try withStore { store, _ in
            let ids = try seed(store)
            let filter = try RunFilter(parsing: #"metrics.val_accuracy > 0.7 and params.optimizer = "adam""#)
            let runs = try store.listRuns(RunQuery(filter: filter, sort: try RunSort(parsing: "-metrics.val_accuracy")))
            // val_accuracy > 0.7 means i > 4.8: i in 5...11; adam means even i: 6, 8, 10.
            #expect(runs.map(\.id) == [ids[10], ids[8], ids[6]])
            #expect(runs[0].params["optimizer"] == "adam")
            #expect(runs[0].metrics["val_accuracy"] == 0.5 + 10.0 / 24)

            let numeric = try store.listRuns(
                RunQuery(filter: try RunFilter(parsing: "params.lr >= 0.1"), sort: try RunSort(parsing: "params.lr")))
            #expect(numeric.map(\.id) == Array(ids[9...]))

            let digits = try store.listRuns(RunQuery(experiment: "digits", status: .finished, limit: 3))
            #expect(digits.map(\.id) == [ids[7], ids[6], ids[5]])

            let failed = try store.listRuns(RunQuery(filter: try RunFilter(parsing: #"attributes.status = "FAILED""#)))
            #expect(failed.map(\.id) == [ids[4]])

            let tagged = try store.listRuns(
                RunQuery(
                    filter: try RunFilter(parsing: "tags.release"),
                    sort: RunSort(field: .attribute(.name), descending: false)))
            #expect(tagged.map(\.name) == ["run-0", "run-3", "run-6", "run-9"])

            let byName = try store.listRuns(RunQuery(filter: try RunFilter(parsing: #"attributes.name = "run-2""#)))
            #expect(byName.map(\.id) == [ids[2]])

            #expect(throws: TrackingError.self) { try store.listRuns(RunQuery(experiment: "digts")) }
        }
    }

    @Test func runsWithoutTheSortKeyComeLast() throws {
        try withStore { store, _ in
            let ids = try seed(store)
            let extra = try store.startRun(experiment: "digits", name: "no-metrics")
            for descending in [true, false] {
                let runs = try store.listRuns(
                    RunQuery(sort: RunSort(field: .metric("val_accuracy"), descending: descending)))
                #expect(runs.last?.id == extra)
                #expect(runs.first?.id == (descending ? ids[11] : ids[0]))
            }
        }
    }
}
