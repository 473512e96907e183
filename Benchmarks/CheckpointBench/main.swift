import Foundation
import GradientCore
import ModelPackage
import TrainingRuntime

// Checkpoint write benchmark (issue 8): a checkpoint of a model with N parameters (default
// 100M: 400 MB of Float32) written the way training writes it — XXH64 checksum, temporary file,
// fsync, rename, fsync of the directory — against `dd … conv=fsync` of the same byte count in
// the same directory, alternating runs. Also the pause training sees: the time `save` takes
// on the training thread plus the copy-on-write copy the trainer pays at its next update,
// against a plain in-memory copy of the same arrays.
//
//   CheckpointBench DIRECTORY [--parameters N] [--runs R]   prints one JSON object

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: CheckpointBench DIRECTORY [--parameters N] [--runs R]\n".utf8))
    exit(2)
}
let directory = URL(fileURLWithPath: arguments[1], isDirectory: true)
func option(_ name: String, _ fallback: Int) -> Int {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let v = Int(arguments[i + 1]) else {
        return fallback
    }
    return v
}
let count = option("--parameters", 100_000_000)
let runs = option("--runs", 5)

let spec = ModelSpec(kind: .linear, inputs: count - 1)
let identity = CheckpointIdentity(
    model: spec, optimizer: OptimizerConfig(kind: .sgd, learningRate: 0.1),
    configDigest: String(repeating: "0", count: 64),
    datasetDigest: String(repeating: "1", count: 64), seed: 1)
var parameters = [Float](repeating: 0, count: count)
for i in stride(from: 0, to: count, by: 1) { parameters[i] = Float(i % 1000) * 0.001 }
let schedule = BatchSchedule(rows: 1000, batchSize: 100, microShards: 1)
let writer = CheckpointWriter(directory: directory, keep: 1, identity: identity, schedule: schedule, extra: [:])
let bytes = count * 4

var ours: [Double] = [], dd: [Double] = [], pauses: [Double] = [], copies: [Double] = []
for run in 0..<runs {
    // Ours: save on the training thread, then the trainer's next update (copy on write).
    var written = 0
    let total = seconds {
        let snapshot = TrainingSnapshot(parameters: parameters, optimizer: OptimizerState(), completedSteps: run + 1)
        let pause = seconds {
            writer.save(snapshot)
            parameters[0] += 1  // the trainer's next update: copies the array the writer still holds
        }
        pauses.append(pause)
        writer.waitUntilWritten()
        for case .written(_, _, let n, _) in writer.takeResults() { written = n }
    }
    precondition(written >= bytes, "checkpoint write failed")
    ours.append(Double(written) / total / 1e9)

    // A plain in-memory copy of the same array.
    var copy: [Float] = []
    copies.append(
        seconds {
            copy = Array(parameters); copy[0] += 1
        })

    // dd with fsync, same size, same directory.
    let target = directory.appendingPathComponent("dd.bin")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
        "dd", "if=/dev/zero", "of=\(target.path)", "bs=4M", "count=\(bytes / (4 << 20))", "conv=fsync",
    ]
    process.standardError = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    let ddSeconds = try seconds {
        try process.run()
        process.waitUntilExit()
    }
    dd.append(Double(bytes / (4 << 20) * (4 << 20)) / ddSeconds / 1e9)
    try? FileManager.default.removeItem(at: target)
    FileHandle.standardError.write(
        Data(
            String(
                format: "run %d: checkpoint %.2f GB/s, dd %.2f GB/s, pause %.1f ms, copy %.1f ms\n",
                run + 1, ours.last!, dd.last!, pauses.last! * 1e3, copies.last! * 1e3
            ).utf8))
}
for url in CheckpointFormat.files(in: directory) { try? FileManager.default.removeItem(at: url) }
let result: [String: Any] = [
    "parameters": count, "bytes": bytes, "runs": runs,
    "checkpoint_gbps": median(ours), "dd_fsync_gbps": median(dd), "ratio": median(ours) / median(dd),
    "pause_ms": median(pauses) * 1e3, "memory_copy_ms": median(copies) * 1e3,
]
let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
