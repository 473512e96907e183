import Datasets
import Foundation

/// DataBench: the measurements behind `scripts/bench data`.
///
///     DataBench csv FILE --mb N [--features F] [--seed S]   write a numeric CSV of about N MB
///     DataBench import FILE STORE_DIR                        import once; prints seconds, MB/s, peak RSS
///     DataBench shard VERSION_DIR [--runs R]                 shard read GB/s vs a memory-read loop
///     DataBench gather VERSION_DIR [--batch N] [--resident]  random mini-batch row gathers, ns per row
///
/// Every result is one line of `key=value` pairs for the script to collect.
@main
enum DataBench {
    static func main() throws {
        var args = Array(CommandLine.arguments.dropFirst())
        guard !args.isEmpty else { usage() }
        let command = args.removeFirst()
        func option(_ name: String, _ fallback: Int) -> Int {
            if let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) { return v }
            return fallback
        }
        switch command {
        case "csv":
            guard let path = args.first else { usage() }
            try writeCSV(
                path: path, megabytes: option("--mb", 1024), features: option("--features", 16),
                seed: UInt64(option("--seed", 1)))
        case "import":
            guard args.count >= 2 else { usage() }
            try runImport(file: URL(fileURLWithPath: args[0]), store: URL(fileURLWithPath: args[1]))
        case "shard":
            guard let path = args.first else { usage() }
            try runShard(directory: URL(fileURLWithPath: path), runs: option("--runs", 5))
        case "gather":
            guard let path = args.first else { usage() }
            try runGather(
                directory: URL(fileURLWithPath: path), batch: option("--batch", 2048), runs: option("--runs", 5),
                resident: args.contains("--resident"))
        default:
            usage()
        }
    }

    static func usage() -> Never {
        FileHandle.standardError.write(
            Data(
                "usage: DataBench csv FILE --mb N | import FILE STORE | shard VERSION_DIR | gather VERSION_DIR [--batch N] [--resident]\n"
                    .utf8))
        exit(2)
    }

    /// Peak resident set size of this process in MB (Linux reports ru_maxrss in KiB).
    static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// User plus system CPU seconds of this process so far (all threads).
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) * 1e-6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) * 1e-6
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// A numeric CSV: `features` columns of values with 6 decimals plus an integer label.
    static func writeCSV(path: String, megabytes: Int, features: Int, seed: UInt64) throws {
        guard let out = fopen(path, "w") else { throw DatasetError.io(path: path, call: "fopen", code: errno) }
        defer { fclose(out) }
        var header = (0..<features).map { "x\($0)" }.joined(separator: ",") + ",label\n"
        fputs(header, out)
        var rng = SplitMix64(seed: seed)
        let target = megabytes << 20
        var written = header.utf8.count
        var line = [UInt8]()
        line.reserveCapacity(features * 12 + 4)
        while written < target {
            line.removeAll(keepingCapacity: true)
            for _ in 0..<features {
                let v = rng.nextGaussianApproximation() * 3
                appendFixed(v, &line)
                line.append(0x2C)
            }
            line.append(0x30 + UInt8(rng.nextBelow(3)))
            line.append(0x0A)
            fwrite(line, 1, line.count, out)
            written += line.count
        }
        header = ""
        print("csv path=\(path) bytes=\(written)")
    }

    /// Appends `v` with six decimals (like "%.6f") without Foundation formatting.
    static func appendFixed(_ v: Double, _ out: inout [UInt8]) {
        var scaled = Int64((abs(v) * 1_000_000).rounded())
        if v < 0, scaled != 0 { out.append(0x2D) }
        let integer = scaled / 1_000_000
        scaled %= 1_000_000
        var digits = [UInt8]()
        var i = integer
        repeat { digits.append(0x30 + UInt8(i % 10)); i /= 10 } while i > 0
        out.append(contentsOf: digits.reversed())
        out.append(0x2E)
        var fraction = [UInt8](repeating: 0x30, count: 6)
        for k in stride(from: 5, through: 0, by: -1) { fraction[k] = 0x30 + UInt8(scaled % 10); scaled /= 10 }
        out.append(contentsOf: fraction)
    }

    static func runImport(file: URL, store: URL) throws {
        let bytes = (try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.doubleValue ?? 0
        let start = now()
        let cpuStart = cpuSeconds()
        let outcome = try DatasetStore(root: store).importFile(at: file, format: .csv, options: ImportOptions())
        let seconds = now() - start
        let cpu = cpuSeconds() - cpuStart
        print(
            "import seconds=\(seconds) cpu_seconds=\(cpu) mb_per_s=\(bytes / 1e6 / seconds) peak_rss_mb=\(peakRSSMegabytes()) "
                + "rows=\(outcome.statistics.rows) digest=\(outcome.digest)")
    }

    /// Sums floats 16 lanes at a time: the same read kernel for the shard and the reference.
    @inline(never)
    static func sum(_ p: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>()
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 32 <= count {
            acc0 += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            acc1 += raw.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
            i += 32
        }
        var total = (acc0 + acc1).sum()
        while i < count { total += p[i]; i += 1 }
        return total
    }

    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// Reads the middle half of the rows as one shard, file in the page cache: once through a
    /// fresh memory map per run (page faults included) and once more through the same map
    /// (steady state, as a worker re-reading its shard each epoch); compared with summing an
    /// in-memory buffer of the same size with the same loop.
    static func runShard(directory: URL, runs: Int) throws {
        let probe = try DatasetVersion(directory: directory)
        let rows = probe.rowCount
        let shard = Shard(digest: probe.digest, rows: (rows / 4)..<(rows / 4 + rows / 2))
        let shardBytes = Double(shard.rows.count * (probe.featureCount + 1) * 4)
        var freshRates: [Double] = []
        var mappedRates: [Double] = []
        var checksum: Float = 0
        func read(_ version: DatasetVersion) -> Double {
            let start = now()
            version.withShard(shard) { slice in
                checksum += sum(slice.features.baseAddress!, slice.features.count)
                checksum += sum(slice.labels.baseAddress!, slice.labels.count)
            }
            return shardBytes / (now() - start) / 1e9
        }
        _ = read(probe)
        for _ in 0..<runs {
            let version = try DatasetVersion(directory: directory)
            freshRates.append(read(version))
            mappedRates.append(read(version))
        }
        let count = Int(shardBytes) / 4
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { buffer.deallocate() }
        for i in 0..<count { buffer[i] = Float(i & 1023) }
        var memoryRates: [Double] = []
        for _ in 0..<runs {
            let start = now()
            checksum += sum(buffer, count)
            memoryRates.append(shardBytes / (now() - start) / 1e9)
        }
        let fresh = median(freshRates), mapped = median(mappedRates), m = median(memoryRates)
        print(
            "shard bytes=\(Int(shardBytes)) fresh_gb_per_s=\(fresh) shard_gb_per_s=\(mapped) memory_gb_per_s=\(m) "
                + "fresh_ratio=\(fresh / m) ratio=\(mapped / m) checksum=\(checksum)")
    }

    /// Mini-batch gathers as a worker does them: `batch` rows at random positions of a shuffled
    /// epoch order, copied through `gatherRows`; ns per row and GB/s, beside the sequential
    /// memory-read rate of the same bytes. `resident`: from the huge-page copy workers read
    /// (``DatasetVersion/residentCopy()``) instead of the file's memory map.
    static func runGather(directory: URL, batch: Int, runs: Int, resident: Bool) throws {
        let mapped = try DatasetVersion(directory: directory)
        let version = resident ? try mapped.residentCopy() : mapped
        let rows = version.rowCount, width = version.featureCount
        let order = EpochOrder.permutation(count: rows, seed: 7, epoch: 0)
        let features = UnsafeMutablePointer<Float>.allocate(capacity: batch * width)
        let labels = UnsafeMutablePointer<Float>.allocate(capacity: batch)
        defer { features.deallocate(); labels.deallocate() }
        var checksum: Float = 0
        func pass() -> Double {
            let start = now()
            var position = 0
            while position + batch <= rows {
                order.withUnsafeBufferPointer {
                    version.gatherRows(
                        UnsafeBufferPointer(rebasing: $0[position..<(position + batch)]), features: features,
                        labels: labels)
                }
                checksum += features[0] + labels[batch - 1]
                position += batch
            }
            return (now() - start) / Double(position)
        }
        _ = pass()
        let perRow = median((0..<runs).map { _ in pass() })
        let bytes = Double((width + 1) * 4)
        print(
            "gather batch=\(batch) rows=\(rows) resident=\(resident) ns_per_row=\(perRow * 1e9) gb_per_s=\(bytes / perRow / 1e9) checksum=\(checksum)"
        )
    }
}
