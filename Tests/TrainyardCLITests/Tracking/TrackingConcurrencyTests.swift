import Foundation
import Testing
import TrainyardTestSupport

/// Real processes against one SQLite file: a writer logging at full rate, readers (the library in
/// separate processes and the `trainyard` CLI), and a writer killed with SIGKILL mid-batch.
@Suite(.serialized) struct TrackingConcurrencyTests {
    /// Starts `TrackingBench write` and waits for its `run ID` line (printed after the first batch).
    private func startWriter(db: URL, batches: Int, batchSize: Int) throws -> (ChildProcess, String) {
        let writer = try ChildProcess(
            try BuiltProducts.executable("TrackingBench"),
            ["write", "--db", db.path, "--batches", String(batches), "--batch-size", String(batchSize)])
        let started = writer.waitForOutput(timeout: 60) { out, _ in out.contains("run ") && out.contains("\n") }
        guard started, let line = writer.stdout.split(separator: "\n").first(where: { $0.hasPrefix("run ") }) else {
            writer.stop()
            throw FixtureError("writer did not start: \(writer.stdout) \(writer.stderr)")
        }
        return (writer, String(line.dropFirst(4)))
    }

    @Test func oneWriterThreeReadersLoseNothing() throws {
        let home = try TemporaryDirectory("tracking-concurrency")
        defer { home.remove() }
        let db = home.file("trainyard.db")
        let batches = 200
        let batchSize = 500
        let total = batches * batchSize
        let (writer, runID) = try startWriter(db: db, batches: batches, batchSize: batchSize)
        defer { writer.stop() }
        let readers = try (0..<2).map { _ in
            try ChildProcess(
                try BuiltProducts.executable("TrackingBench"),
                [
                    "read", "--db", db.path, "--run", runID, "--until", String(total), "--batch-size",
                    String(batchSize),
                    "--timeout", "120",
                ])
        }
        defer { readers.forEach { $0.stop() } }

        // The third reader is the CLI, run over and over while the writer logs.
        var cliReads = 0
        var lastCount = 0
        var writerDone = false
        while !writerDone {
            writerDone = !writer.isRunning
            let result = try runTrainyard(["runs", "metrics", runID, "loss", "--json", "--tail", "1"], home: home)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(!result.stderr.contains("locked"))
            guard result.status == 0,
                let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
                let count = object["count"] as? Int
            else { break }
            #expect(count % batchSize == 0, "CLI saw a partial batch: \(count)")
            #expect(count >= lastCount)
            lastCount = count
            cliReads += 1
        }

        let written = try writer.wait(timeout: 120)
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stdout.contains("done \(total)"))
        for reader in readers {
            let result = try reader.wait(timeout: 120)
            #expect(result.status == 0, "reader failed: \(result.stderr)")
            #expect(result.stdout.contains("points \(total)"))
            // Each reader overlapped the writer: it saw the run grow over several reads.
            let reads = result.stdout.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            #expect(reads >= 2, "reader output: \(result.stdout)")
            #expect(!result.stderr.contains("locked"))
        }
        #expect(cliReads >= 1)
        let shown = try runTrainyard(["runs", "show", runID, "--json"], home: home)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        let summaries = try #require(object["metric_summaries"] as? [[String: Any]])
        #expect(summaries.first?["count"] as? Int == total)
        #expect(summaries.first?["last_step"] as? Int == total - 1)
        #expect(object["status"] as? String == "FINISHED")
    }

    @Test func aKilledWriterLosesAtMostItsBatch() throws {
        let home = try TemporaryDirectory("tracking-crash")
        defer { home.remove() }
        let db = home.file("trainyard.db")
        let batchSize = 20_000
        let (writer, runID) = try startWriter(db: db, batches: 1_000_000, batchSize: batchSize)
        defer { writer.stop() }
        #expect(writer.waitForOutput(timeout: 60) { out, _ in out.contains("batch 2\n") })
        // Most of the writer's time is spent inside a batch's transaction; land the kill there.
        usleep(UInt32.random(in: 5_000...60_000))
        writer.send(SIGKILL)
        let killed = try writer.wait(timeout: 30)
        #expect(killed.signalled)
        let committed = killed.stdout.split(separator: "\n").filter { $0.hasPrefix("batch ") }.count

        let verify = try runProcess(
            try BuiltProducts.executable("TrackingBench"),
            ["verify", "--db", db.path, "--run", runID, "--batch-size", String(batchSize)])
        #expect(verify.status == 0, "\(verify.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(verify.stdout.utf8)) as? [String: Any])
        #expect(report["integrity"] as? String == "ok")
        #expect(report["whole_batches"] as? Bool == true)
        #expect(report["contiguous"] as? Bool == true)
        #expect(report["last_consistent"] as? Bool == true)
        #expect(report["writable"] as? Bool == true)
        let points = try #require(report["points"] as? Int)
        // Every batch the writer reported is there; at most the one it was writing (plus one whose
        // "batch N" line the kill cut off) is missing.
        #expect(points >= committed * batchSize)
        #expect(points <= (committed + 1) * batchSize)

        let shown = try runTrainyard(["runs", "show", runID, "--json"], home: home)
        #expect(shown.status == 0, "\(shown.stderr)")
    }
}
