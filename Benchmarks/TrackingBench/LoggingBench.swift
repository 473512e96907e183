import Foundation
import TrackingStore

/// `TrackingBench bench`: batched metric logging (points/s) and filtered, sorted `runs list`
/// over many runs (milliseconds), each repeated and reported as the median.
struct LoggingBench {
    let points: Int
    let batch: Int
    let runs: Int
    let repeats: Int
    let json: Bool
    /// Where to keep the database of `runs` runs (for timing the CLI on it); a temporary file otherwise.
    let listDatabase: URL?
    static let filter = #"metrics.val_accuracy > 0.9 and params.optimizer = "adam""#
    static let sort = "-metrics.val_accuracy"

    init(_ options: BenchOptions) throws {
        points = try options.int("points", default: 1_000_000)
        batch = max(1, try options.int("batch", default: 1000))
        runs = try options.int("runs", default: 10_000)
        repeats = max(1, try options.int("repeat", default: 5))
        json = options.flag("json")
        listDatabase = options.string("list-db").map { URL(fileURLWithPath: $0) }
    }

    func run() throws {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
            "trackingbench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        var rates: [Double] = []
        for attempt in 0..<repeats {
            let store = try TrackingStore(path: directory.appendingPathComponent("log-\(attempt).db"))
            let runID = try store.startRun(experiment: "bench")
            let keys = ["train_loss", "val_loss", "val_accuracy", "learning_rate"]
            let timestamp = Date()
            var batchPoints: [MetricPoint] = []
            batchPoints.reserveCapacity(batch)
            let begin = now()
            var logged = 0
            while logged < points {
                batchPoints.removeAll(keepingCapacity: true)
                let count = min(batch, points - logged)
                for i in logged..<(logged + count) {
                    batchPoints.append(
                        MetricPoint(
                            runID: runID, key: keys[i % 4], step: i / 4, value: Double(i) * 1e-6, timestamp: timestamp))
                }
                try store.logMetrics(batchPoints)
                logged += count
            }
            let seconds = now() - begin
            guard try store.metricCount(runID: runID) == points else { throw BenchError("lost points") }
            rates.append(Double(points) / seconds)
            if !json {
                emit(
                    String(
                        format: "log  attempt %d: %.0f points/s (%.3f s)", attempt + 1, Double(points) / seconds,
                        seconds))
            }
        }

        let store = try TrackingStore(path: listDatabase ?? directory.appendingPathComponent("list.db"))
        let seedBegin = now()
        try seedRuns(store)
        if !json { emit(String(format: "list seeded %d runs in %.1f s", runs, now() - seedBegin)) }
        let query = RunQuery(filter: try RunFilter(parsing: Self.filter), sort: try RunSort(parsing: Self.sort))
        var limited = query
        limited.limit = 20
        var all: [Double] = []
        var top: [Double] = []
        var matched = 0
        for _ in 0..<max(repeats, 10) {
            var begin = now()
            matched = try store.listRuns(query).count
            all.append((now() - begin) * 1000)
            begin = now()
            _ = try store.listRuns(limited)
            top.append((now() - begin) * 1000)
        }
        let result: [String: Any] = [
            "points": points, "batch": batch, "points_per_s_median": median(rates), "points_per_s": rates,
            "runs": runs, "filter": Self.filter, "sort": Self.sort, "matched": matched,
            "list_all_ms_median": median(all), "list_top20_ms_median": median(top),
        ]
        if json {
            let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
            emit(String(decoding: data, as: UTF8.self))
        } else {
            emit(String(format: "log  median: %.0f points/s (%d points, batches of %d)", median(rates), points, batch))
            emit(
                String(
                    format: "list median: %.1f ms for all %d matches, %.1f ms for the top 20 (of %d runs)",
                    median(all), matched, median(top), runs))
        }
    }

    /// `runs` runs with three params, three metrics (two points each) and a tag; deterministic.
    private func seedRuns(_ store: TrackingStore) throws {
        var generator = SplitMix64(seed: 42)
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        for index in 0..<runs {
            let id = try store.startRun(
                experiment: index % 2 == 0 ? "digits" : "iris", name: "run-\(index)",
                startTime: start.addingTimeInterval(Double(index)))
            try store.logParams(
                runID: id,
                [
                    "optimizer": ["adam", "sgd", "adamw"][Int(generator.next() % 3)],
                    "lr": String(Double(generator.next() % 1000) / 10000),
                    "batch_size": String([32, 64, 128, 256][Int(generator.next() % 4)]),
                ])
            let accuracy = Double(generator.next() % 10_000) / 10_000
            try store.logMetrics([
                MetricPoint(runID: id, key: "val_accuracy", step: 0, value: accuracy / 2),
                MetricPoint(runID: id, key: "val_accuracy", step: 1, value: accuracy),
                MetricPoint(runID: id, key: "val_loss", step: 0, value: 2),
                MetricPoint(runID: id, key: "val_loss", step: 1, value: 1 - accuracy),
                MetricPoint(runID: id, key: "train_loss", step: 1, value: 1 - accuracy),
            ])
            try store.finishRun(id)
        }
    }
}

/// A small deterministic random generator (SplitMix64).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
