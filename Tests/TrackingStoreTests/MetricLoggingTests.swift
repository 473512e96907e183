import Foundation
import Testing
import TrackingStore

@Suite struct MetricLoggingTests {
    @Test func batchesAppendSeriesInStepOrder() throws {
        try withStore { store, _ in
            let id = try store.startRun(experiment: "e")
            var batch: [MetricPoint] = []
            for step in 0..<500 {
                batch.append(MetricPoint(runID: id, key: "train_loss", step: step, value: 1.0 / Double(step + 1)))
                if step % 10 == 0 {
                    batch.append(MetricPoint(runID: id, key: "val_accuracy", step: step, value: Double(step) / 500))
                }
            }
            try store.logMetrics(Array(batch[..<300]))
            try store.logMetrics(Array(batch[300...]))
            let loss = try store.metricSeries(runID: id, key: "train_loss")
            #expect(loss.count == 500)
            #expect(loss.map(\.step) == Array(0..<500))
            #expect(loss.last?.value == 1.0 / 500)
            #expect(try store.metricCount(runID: id) == 550)
            #expect(try store.metricCount(runID: id, key: "val_accuracy") == 50)
            let summary = try store.run(id).metrics
            #expect(summary.map(\.key) == ["train_loss", "val_accuracy"])
            #expect(summary[1].last == 490.0 / 500)
        }
    }

    @Test func lastValueIsTheHighestStepEvenWhenLoggedOutOfOrder() throws {
        try withStore { store, _ in
            let id = try store.startRun(experiment: "e")
            try store.logMetrics([MetricPoint(runID: id, key: "m", step: 5, value: 5)])
            try store.logMetrics([MetricPoint(runID: id, key: "m", step: 2, value: 2)])
            #expect(try store.run(id).metrics[0].last == 5)
            try store.logMetrics([
                MetricPoint(runID: id, key: "m", step: 5, value: 6),
                MetricPoint(runID: id, key: "m", step: 3, value: 3),
            ])
            let metric = try store.run(id).metrics[0]
            #expect(metric.last == 6)
            #expect(metric.count == 4)
            #expect(try store.metricSeries(runID: id, key: "m").map(\.step) == [2, 3, 5, 5])
        }
    }

    @Test func keepsNaNAndInfinity() throws {
        try withStore { store, _ in
            let id = try store.startRun(experiment: "e")
            try store.logMetrics([
                MetricPoint(runID: id, key: "loss", step: 0, value: 1.5),
                MetricPoint(runID: id, key: "loss", step: 1, value: .infinity),
                MetricPoint(runID: id, key: "loss", step: 2, value: .nan),
            ])
            let values = try store.metricSeries(runID: id, key: "loss").map(\.value)
            #expect(values[0] == 1.5)
            #expect(values[1] == .infinity)
            #expect(values[2].isNaN)
            #expect(try store.run(id).metrics[0].last.isNaN)
        }
    }

    @Test func aBatchWithAnUnknownRunStoresNothing() throws {
        try withStore { store, _ in
            let id = try store.startRun(experiment: "e")
            #expect(throws: TrackingError.self) {
                try store.logMetrics([
                    MetricPoint(runID: id, key: "m", step: 0, value: 1),
                    MetricPoint(runID: "000000000000", key: "m", step: 0, value: 1),
                ])
            }
            #expect(try store.metricCount(runID: id) == 0)
        }
    }

    @Test func unknownMetricKeyListsTheRunsKeys() throws {
        try withStore { store, _ in
            let id = try store.startRun(experiment: "e")
            try store.logMetric(runID: id, key: "val_accuracy", step: 0, value: 0.5)
            do {
                _ = try store.metricSeries(runID: id, key: "val_acc")
                Issue.record("unknown key must fail")
            } catch TrackingError.notFound(_, let reference, let near) {
                #expect(reference == "val_acc")
                #expect(near == ["val_accuracy"])
            }
        }
    }
}
