import Foundation
import TrackingStore

/// The processes of the concurrency and crash tests.
enum ConcurrencyRoles {
    /// Logs `batches` batches of `batch-size` points of one key, as fast as it can.
    ///
    /// Prints `run ID` once the first batch has committed, then `batch N` after each commit and
    /// `done POINTS` at the end. Step k of the series has value k, so readers can check order.
    static func write(_ options: BenchOptions) throws {
        let store = try TrackingStore(path: URL(fileURLWithPath: try options.required("db")))
        let batches = try options.int("batches", default: 100)
        let batchSize = try options.int("batch-size", default: 500)
        let key = options.string("key") ?? "loss"
        let runID = try store.startRun(experiment: options.string("experiment") ?? "concurrency", name: "writer")
        var step = 0
        for batch in 1...max(1, batches) {
            var points: [MetricPoint] = []
            points.reserveCapacity(batchSize)
            for _ in 0..<batchSize {
                points.append(MetricPoint(runID: runID, key: key, step: step, value: Double(step)))
                step += 1
            }
            try store.logMetrics(points)
            if batch == 1 { emit("run \(runID)") }
            emit("batch \(batch)")
        }
        try store.finishRun(runID)
        emit("done \(step)")
    }

    /// Reads the run in a loop until it has `until` points: counts, the record, the run list and
    /// the series tail. Fails on any error (e.g. "database is locked"), on a count that is not a
    /// whole number of batches, or on a count that goes down.
    static func read(_ options: BenchOptions) throws {
        let store = try TrackingStore(path: URL(fileURLWithPath: try options.required("db")))
        let runID = try options.required("run")
        let target = try options.int("until", default: 1)
        let batchSize = max(1, try options.int("batch-size", default: 1))
        let deadline = now() + (try options.double("timeout", default: 120))
        var reads = 0
        var last = 0
        while last < target {
            guard now() < deadline else { throw BenchError("timed out at \(last) of \(target) points") }
            let count = try store.metricCount(runID: runID)
            let record = try store.run(runID)
            _ = try store.listRuns(RunQuery(limit: 50))
            guard count % batchSize == 0 else {
                throw BenchError("saw \(count) points: not whole batches of \(batchSize)")
            }
            guard count >= last else { throw BenchError("point count went down from \(last) to \(count)") }
            if let summary = record.metrics.first, summary.count > 0 {
                // The last value is the highest step logged; steps equal values.
                guard summary.last == Double(summary.lastStep) else {
                    throw BenchError("last value \(summary.last) at step \(summary.lastStep)")
                }
            }
            last = count
            reads += 1
        }
        emit("reads \(reads) points \(last)")
    }

    /// Checks the database after a crash: integrity, whole batches only, a consistent last value,
    /// and that it still accepts writes. Prints one JSON object.
    static func verify(_ options: BenchOptions) throws {
        let store = try TrackingStore(path: URL(fileURLWithPath: try options.required("db")))
        let runID = try options.required("run")
        let batchSize = max(1, try options.int("batch-size", default: 1))
        let key = options.string("key") ?? "loss"
        let integrity = try store.integrityCheck()
        let points = try store.metricCount(runID: runID)
        let series = try store.metricSeries(runID: runID, key: key)
        let contiguous = series.enumerated().allSatisfy {
            $0.offset == $0.element.step && $0.element.value == Double($0.offset)
        }
        let summary = try store.run(runID).metrics.first { $0.key == key }
        let lastConsistent = summary?.lastStep == series.last?.step
        try store.logMetrics([MetricPoint(runID: runID, key: key + "_after", step: 0, value: 1)])
        let writable = try store.metricCount(runID: runID, key: key + "_after") == 1
        let result: [String: Any] = [
            "integrity": integrity.joined(separator: "; "), "points": points,
            "whole_batches": points % batchSize == 0, "contiguous": contiguous,
            "last_consistent": lastConsistent, "writable": writable,
        ]
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        emit(String(decoding: data, as: UTF8.self))
    }
}
