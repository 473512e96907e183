import Foundation
import JobConfiguration
import Testing
import TrackingStore
import TrainyardKit

/// The text renderings of the reports, checked in-process against exact expected text built
/// from hand-made records.
@Suite struct ReportTextTests {
    @Test func textTableAlignsNumbersRightAndTextLeft() {
        var table = TextTable(["name", "value", "note"])
        table.add(["alpha", "1.5", "x"])
        table.add(["b", "12", ""])
        #expect(
            table.render()
                == """
                name   value  note
                -----  -----  ----
                alpha    1.5  x
                b         12
                """)
        #expect(table.render(indentedBy: "> ").first == "> name   value  note")
    }

    @Test func textFormatSpellsSizesNumbersTimesAndDurations() {
        #expect(TextFormat.bytes(512) == "512 B")
        #expect(TextFormat.bytes(1536) == "1.5 KiB")
        #expect(TextFormat.bytes(3 << 20) == "3.0 MiB")
        #expect(TextFormat.decimalBytes(1500) == "1.5 KB")
        #expect(TextFormat.decimalBytes(999) == "999 B")
        #expect(TextFormat.number(nil) == "-")
        #expect(TextFormat.number(.nan) == "nan")
        #expect(TextFormat.number(-.infinity) == "-inf")
        #expect(TextFormat.number(0.123456789) == "0.123457")
        #expect(TextFormat.number(1e7) == "1e+07")
        #expect(TextFormat.statistic(3) == "3")
        #expect(TextFormat.statistic(nil) == "")
        #expect(TextFormat.statistic(0.123456) == "0.1235")
        #expect(TextFormat.time(nil) == "-")
        #expect(TextFormat.time(Date(timeIntervalSince1970: 365 * 86400 + 3661.5)) == "1971-01-01 01:01:01")
        let start = Date(timeIntervalSince1970: 1000)
        #expect(TextFormat.duration(from: start, to: nil) == "-")
        #expect(TextFormat.duration(from: start, to: start + 4.2) == "4.2s")
        #expect(TextFormat.duration(from: start, to: start + 192) == "3m12s")
        #expect(TextFormat.duration(from: start, to: start + 3720) == "1h02m")
        #expect(TextFormat.remaining(65) == "1m5s")
        #expect(TextFormat.remaining(3725) == "1h2m")
    }

    /// Two finished runs of 10 s that differ in name, `lr` and `loss` (missing on the first).
    static func runs() throws -> [RunRecord] {
        func run(_ id: String, name: String, lr: String, metrics: String) -> String {
            """
            {"id": "\(id)", "experiment": "exp", "name": "\(name)", "status": "FINISHED", "startTime": 0,
             "endTime": 10, "configJSON": "{}", "params": {"lr": "\(lr)", "batch": "32"}, "tags": {},
             "metrics": [\(metrics)], "artifacts": [], "datasets": [], "childRunIDs": [], "modelVersions": []}
            """
        }
        let acc = #"{"key": "acc", "last": 0.9, "lastStep": 5, "min": 0.5, "max": 0.9, "count": 5}"#
        let loss = #"{"key": "loss", "last": 0.25, "lastStep": 5, "min": 0.25, "max": 1, "count": 5}"#
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try [
            run("aaaa", name: "a", lr: "0.1", metrics: acc),
            run("bbbb", name: "b", lr: "0.2", metrics: acc + "," + loss),
        ].map { try decoder.decode(RunRecord.self, from: Data($0.utf8)) }
    }

    @Test func runComparisonMarksTheRowsThatDiffer() throws {
        let comparison = try RunComparison(Self.runs())
        let table = comparison.table(onlyDifferences: false)
        #expect(
            table.lines == [
                "   FIELD         aaaa      bbbb",
                "-  ------------  --------  --------",
                "   experiment    exp       exp",
                "*  name          a         b",
                "   status        FINISHED  FINISHED",
                "   duration      10.0s     10.0s",
                "   params.batch        32        32",
                "*  params.lr          0.1       0.2",
                "   metrics.acc        0.9       0.9",
                "*  metrics.loss  -             0.25",
            ])
        #expect(table.differs == [false, false, false, true, false, false, false, true, false, true])
        #expect(table.summary == "3 of 8 fields differ")

        let differences = comparison.table(onlyDifferences: true)
        #expect(
            differences.lines == [
                "   FIELD         aaaa  bbbb",
                "-  ------------  ----  ----",
                "*  name          a     b",
                "*  params.lr      0.1   0.2",
                "*  metrics.loss  -     0.25",
            ])
        #expect(differences.differs == [false, false, true, true, true])
        #expect(differences.summary == "3 of 8 fields differ")
    }

    /// A grid sweep over four learning rates, minimising `val_loss`.
    static func sweepState() throws -> SweepState {
        let job = ConfigValue.map([
            (key: "experiment", value: .string("kit")),
            (
                key: "data",
                value: .map([(key: "dataset", value: .string("blobs")), (key: "label", value: .string("label"))])
            ),
            (key: "model", value: .map([(key: "kind", value: .string("logistic"))])),
            (key: "optimizer", value: .map([(key: "lr", value: .double(0.5))])),
            (key: "training", value: .map([(key: "epochs", value: .int(2))])),
        ])
        let document = ConfigValue.map([
            (key: "name", value: .string("grid")),
            (key: "job", value: job),
            (
                key: "search",
                value: .map([
                    (
                        key: "optimizer.lr",
                        value: .map([
                            (key: "choice", value: .list([.double(0.1), .double(0.2), .double(0.3), .double(0.4)]))
                        ])
                    )
                ])
            ),
            (key: "algorithm", value: .map([(key: "kind", value: .string("grid"))])),
            (
                key: "objective",
                value: .map([(key: "metric", value: .string("val_loss")), (key: "mode", value: .string("min"))])
            ),
        ])
        var state = SweepState(sweepID: "sweep1", definition: try SweepDefinition(document: document, origin: "test"))
        state.trials[0].objective = [0.5, 0.3]
        state.trials[2].objective = [0.2]
        state.trials[3].objective = [0.3]
        return state
    }

    @Test func sweepTableShowsTheBestTrialsFirst() throws {
        let state = try Self.sweepState()
        #expect(SweepTable.order(state) == [2, 0, 3, 1])
        var started = state
        started.trials[2].runID = "6b173a50c1d2"
        // The whole run id: 8-character prefixes of run ids started the same second collide.
        #expect(SweepTable.render(started, keys: ["optimizer.lr"], limit: 1).contains("    2  6b173a50c1d2  "))
        #expect(
            SweepTable.render(state, keys: ["optimizer.lr"], limit: 2)
                == """
                trial  run  optimizer.lr  epochs  rung  val_loss  status
                -----  ---  ------------  ------  ----  --------  -------
                    2  -             0.3       1  -       0.2000  pending
                    0  -             0.1       2  -       0.3000  pending
                … 2 more trials (trainyard sweep status sweep1)
                """)
    }
}
