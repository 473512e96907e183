// KernelBench: single-core timings of the GradientCore kernels against the memory system.
//
// Usage: KernelBench [--repetitions N] [--rows N] [--data-dir DIR] [--only read|logistic|sgemm|mlp ...]
// Prints one JSON object (medians over repetitions). With --data-dir, writes the logistic data
// (X.f32, y.f32, w.f32) and the Swift gradient (grad.f32) so that the numpy peer can time the same
// data and check the result.
import Foundation
import GradientCore

// The allocator settings `trainyard` processes run with (ZeroMQ's MemoryTuning): large buffers
// come from the heap and are reused, so a fresh gradient array costs no page faults.
#if canImport(Glibc)
    @_silgen_name("mallopt") func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
    _ = mallopt(-3 /* M_MMAP_THRESHOLD */, 64 << 20)
    _ = mallopt(-1 /* M_TRIM_THRESHOLD */, 256 << 20)
#endif

struct Options {
    var repetitions = 7
    var rows = 1_000_000
    var columns = 128
    var dataDirectory: String?
    /// Run only the named groups (read, logistic, sgemm, mlp); all when empty.
    var only: Set<String> = []

    init(_ arguments: [String]) {
        var i = 1
        while i < arguments.count {
            let value = i + 1 < arguments.count ? arguments[i + 1] : ""
            switch arguments[i] {
            case "--repetitions": repetitions = max(1, Int(value) ?? repetitions); i += 1
            case "--rows": rows = max(8, Int(value) ?? rows); i += 1
            case "--data-dir": dataDirectory = value; i += 1
            case "--only": only.insert(value); i += 1
            default:
                FileHandle.standardError.write(Data("KernelBench: unknown argument \(arguments[i])\n".utf8))
                exit(2)
            }
            i += 1
        }
    }
}

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Median wall time of `repetitions` runs of `body` (after one warm-up run).
func medianSeconds(_ repetitions: Int, _ body: () -> Void) -> Double {
    body()
    var times: [Double] = []
    for _ in 0..<repetitions {
        let start = now()
        body()
        times.append(now() - start)
    }
    times.sort()
    return times[times.count / 2]
}

func randomFloats(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    var rng = Philox(seed: seed)
    return (0..<count).map { _ in (rng.nextFloat() * 2 - 1) * scale }
}

func write(_ values: [Float], to path: String) throws {
    let data = values.withUnsafeBytes { Data($0) }
    try data.write(to: URL(fileURLWithPath: path), options: .atomic)
}

let options = Options(CommandLine.arguments)
var results: [String: Double] = [:]
func runs(_ group: String) -> Bool { options.only.isEmpty || options.only.contains(group) }

// 1. Memory-read bandwidth: sum a buffer as large as X with 8 independent vector accumulators.
let rows = options.rows, columns = options.columns
let x = randomFloats(rows * columns, seed: 1)
let bytes = Double(x.count * 4)
var sink: Float = 0
if runs("read") {
    let readSeconds = medianSeconds(options.repetitions) {
        x.withUnsafeBufferPointer { buffer in
            let p = buffer.baseAddress!
            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
            var a4 = SIMD8<Float>(), a5 = SIMD8<Float>(), a6 = SIMD8<Float>(), a7 = SIMD8<Float>()
            var i = 0
            let n = buffer.count & ~63
            while i < n {
                a0 += load8(p + i); a1 += load8(p + i + 8); a2 += load8(p + i + 16); a3 += load8(p + i + 24)
                a4 += load8(p + i + 32); a5 += load8(p + i + 40); a6 += load8(p + i + 48); a7 += load8(p + i + 56)
                i += 64
            }
            sink += treeSum(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)))
        }
    }
    results["read_gbps"] = bytes / readSeconds / 1e9
}

// 2. Fused logistic gradient, one thread.
let weights = randomFloats(columns, seed: 2, scale: 0.1)
var labelRNG = Philox(seed: 3)
let labels = (0..<rows).map { _ in Float(labelRNG.nextUInt32() & 1) }
let model = try Model(spec: ModelSpec(kind: .logistic, inputs: columns))
let parameters = weights + [0.05]
var gradient = [Float](repeating: 0, count: model.layout.count)
var lossSum = 0.0
if runs("logistic") {
    let logisticSeconds = medianSeconds(options.repetitions) {
        for i in gradient.indices { gradient[i] = 0 }
        lossSum = try! model.accumulateGradient(
            parameters: parameters, features: x, labels: labels, rows: rows, into: &gradient, threads: 1
        ).lossSum
    }
    results["logistic_seconds"] = logisticSeconds
    results["logistic_gbps"] = bytes / logisticSeconds / 1e9
    results["logistic_loss_sum"] = lossSum
    if let directory = options.dataDirectory {
        try write(x, to: directory + "/X.f32")
        try write(labels, to: directory + "/y.f32")
        try write(parameters, to: directory + "/w.f32")
        try write(gradient, to: directory + "/grad.f32")
    }
}

// 3. SGEMM, one thread.
for (name, m, n, k) in [("sgemm_512", 512, 512, 512), ("sgemm_256x784x256", 256, 256, 784)] where runs("sgemm") {
    let a = randomFloats(m * k, seed: 4), b = randomFloats(k * n, seed: 5)
    var c = [Float](repeating: 0, count: m * n)
    let seconds = medianSeconds(max(options.repetitions, 20)) {
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    GEMM.sgemm(
                        transposeA: false, transposeB: false, m: m, n: n, k: k,
                        a: ap.baseAddress!, lda: k, b: bp.baseAddress!, ldb: n,
                        c: cp.baseAddress!, ldc: n, accumulate: false, threads: 1)
                }
            }
        }
    }
    results[name + "_gflops"] = 2 * Double(m * n * k) / seconds / 1e9
}

// 4. MLP 784-256-128-10, one SGD step at batch 256 (forward, backward, update), one thread.
let batch = 256
let mlp = try Model(spec: ModelSpec(kind: .mlp, inputs: 784, outputs: 10, hidden: [256, 128], activation: .relu))
var mlpParameters = mlp.spec.initialParameters(seed: 6)
let mlpX = randomFloats(batch * 784, seed: 7)
var classRNG = Philox(seed: 8)
let mlpY = (0..<batch).map { _ in Float(classRNG.nextInt(below: 10)) }
var optimizer = try Optimizer(config: OptimizerConfig(kind: .sgd, learningRate: 0.01), parameterCount: mlp.layout.count)
var mlpGradient = [Float](repeating: 0, count: mlp.layout.count)
if runs("mlp") {
    let stepSeconds = medianSeconds(max(options.repetitions * 5, 30)) {
        for i in mlpGradient.indices { mlpGradient[i] = 0 }
        _ = try! mlp.accumulateGradient(
            parameters: mlpParameters, features: mlpX, labels: mlpY, rows: batch, into: &mlpGradient, threads: 1)
        let scale = 1 / Float(batch)
        for i in mlpGradient.indices { mlpGradient[i] *= scale }
        try! optimizer.step(parameters: &mlpParameters, gradient: mlpGradient, learningRate: 0.01)
    }
    results["mlp_step_seconds"] = stepSeconds
    results["mlp_samples_per_second"] = Double(batch) / stepSeconds
    // The same 256 rows as a worker computes them in `trainyard train` with the default
    // micro-shards (batch / 64): four 64-row micro-shards, each into a fresh gradient, added
    // pairwise along the micro-shard tree. Beside the step above it prices the micro-sharding that
    // keeps results independent of the worker count.
    let leaves = max(1, batch / 64)
    let leafSeconds = medianSeconds(max(options.repetitions * 5, 30)) {
        var sums: [[Float]] = []
        mlpX.withUnsafeBufferPointer { x in
            mlpY.withUnsafeBufferPointer { y in
                for leaf in 0..<leaves {
                    let rows = (leaf + 1) * batch / leaves - leaf * batch / leaves
                    let start = leaf * batch / leaves
                    var g = [Float](repeating: 0, count: mlp.layout.count)
                    _ = try! mlpParameters.withUnsafeBufferPointer { p in
                        try g.withUnsafeMutableBufferPointer { gp in
                            try mlp.accumulateGradient(
                                parameters: p,
                                features: UnsafeBufferPointer(rebasing: x[(start * 784)..<((start + rows) * 784)]),
                                labels: UnsafeBufferPointer(rebasing: y[start..<(start + rows)]), rows: rows, into: gp,
                                threads: 1)
                        }
                    }
                    sums.append(g)
                }
            }
        }
        while sums.count > 1 {
            sums = stride(from: 0, to: sums.count, by: 2).map { i in
                i + 1 < sums.count ? elementwiseSum(sums[i], sums[i + 1]) : sums[i]
            }
        }
        sink += sums[0][0]
    }
    results["mlp_microshard_seconds"] = leafSeconds
    results["mlp_microshard_samples_per_second"] = Double(batch) / leafSeconds
}
// 5. The exchange benchmark's worker step: MLP 4000-[4000]-2 (16M parameters) on 2 rows, forward
// and backward, one thread — memory-bound (64 MB of weights read, 64 MB of gradient written), so
// it is reported beside the time to read and write 64 MB once.
if runs("wide") {
    let wide = try Model(spec: ModelSpec(kind: .mlp, inputs: 4000, outputs: 2, hidden: [4000], activation: .relu))
    let wideParameters = wide.spec.initialParameters(seed: 9)
    let wideX = randomFloats(2 * 4000, seed: 10)
    var wideGradient = [Float](repeating: 0, count: wide.layout.count)
    let seconds = medianSeconds(options.repetitions) {
        _ = try! wide.accumulateGradient(
            parameters: wideParameters, features: wideX, labels: [0, 1], rows: 2, into: &wideGradient, threads: 1)
    }
    let forward = medianSeconds(options.repetitions) {
        _ = try! wide.predict(parameters: wideParameters, features: wideX, rows: 2)
    }
    var copy = [Float](repeating: 0, count: wideParameters.count)
    let copySeconds = medianSeconds(options.repetitions) {
        copy.withUnsafeMutableBufferPointer { c in
            wideParameters.withUnsafeBufferPointer { p in c.baseAddress!.update(from: p.baseAddress!, count: p.count) }
        }
    }
    sink += copy[7]
    results["wide_gradient_seconds"] = seconds
    results["wide_forward_seconds"] = forward
    results["wide_copy_64mb_seconds"] = copySeconds
}
results["sink"] = Double(sink)

let json = try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))

/// a + b element by element, as the coordinator's tree sum adds two subtree sums.
func elementwiseSum(_ a: [Float], _ b: [Float]) -> [Float] {
    [Float](unsafeUninitializedCapacity: a.count) { out, count in
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                for i in 0..<a.count { out[i] = a[i] + b[i] }
            }
        }
        count = a.count
    }
}
