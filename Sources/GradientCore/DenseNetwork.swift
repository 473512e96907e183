/// Forward and backward passes of a stack of dense layers (the MLP, and softmax regression as
/// the zero-hidden-layer case), built on ``GEMM`` and the vectorised activations and softmax.
///
/// Rows are processed in fixed chunks of ``rowsPerChunk``; within a chunk every GEMM is split
/// across threads by output tiles, so the result does not depend on the thread count.
struct DenseNetwork: Sendable {
    static let rowsPerChunk = 1024

    let widths: [Int]
    let activation: ModelSpec.Activation
    let softmaxHead: Bool
    let weightOffsets: [Int]
    let biasOffsets: [Int]

    var layerCount: Int { widths.count - 1 }

    init(spec: ModelSpec, layout: ParameterLayout) {
        widths = spec.kind == .softmax ? [spec.inputs, spec.outputs] : spec.widths
        activation = spec.activation
        softmaxHead = spec.kind == .softmax || spec.head == .softmax
        var weights: [Int] = [], biases: [Int] = []
        for (index, entry) in layout.entries.enumerated() {
            if index % 2 == 0 { weights.append(entry.offset) } else { biases.append(entry.offset) }
        }
        weightOffsets = weights
        biasOffsets = biases
    }

    /// Activation buffers for one chunk of rows.
    final class Workspace {
        let pre: [UnsafeMutablePointer<Float>]  // Z of each layer, rows × widths[l+1]
        let post: [UnsafeMutablePointer<Float>]  // A of each hidden layer
        let upstream: UnsafeMutablePointer<Float>
        let logSumExp: UnsafeMutablePointer<Float>

        init(widths: [Int], rows: Int) {
            let layers = widths.count - 1
            pre = (0..<layers).map { .allocate(capacity: rows * widths[$0 + 1]) }
            post = (0..<(layers - 1)).map { .allocate(capacity: rows * widths[$0 + 1]) }
            upstream = .allocate(capacity: rows * max(1, widths.dropFirst().dropLast().max() ?? 1))
            logSumExp = .allocate(capacity: rows)
        }

        deinit {
            pre.forEach { $0.deallocate() }
            post.forEach { $0.deallocate() }
            upstream.deallocate()
            logSumExp.deallocate()
        }
    }

    /// Calls `body(start, count, workspace)` for consecutive chunks of at most ``rowsPerChunk`` of
    /// `rows` rows, in order, with one workspace, and adds up what it returns.
    func sumOverChunks(rows: Int, _ body: (Int, Int, Workspace) -> Double) -> Double {
        let chunk = min(rows, DenseNetwork.rowsPerChunk)
        let work = Workspace(widths: widths, rows: chunk)
        var total = 0.0
        var start = 0
        while start < rows {
            let count = min(chunk, rows - start)
            total += body(start, count, work)
            start += count
        }
        return total
    }

    /// Forward pass of `rows` rows; leaves Z and A in `work`, logits in `work.pre.last`.
    func forward(_ p: UnsafePointer<Float>, _ x: UnsafePointer<Float>, rows: Int, work: Workspace, threads: Int) {
        var input = x
        for l in 0..<layerCount {
            let inWidth = widths[l], outWidth = widths[l + 1]
            let z = work.pre[l]
            GEMM.sgemm(
                transposeA: false, transposeB: true, m: rows, n: outWidth, k: inWidth,
                a: input, lda: inWidth, b: p + weightOffsets[l], ldb: inWidth,
                c: z, ldc: outWidth, accumulate: false, threads: threads)
            let bias = p + biasOffsets[l]
            for r in 0..<rows { addRow(bias, into: z + r * outWidth, count: outWidth) }
            if l < layerCount - 1 {
                ActivationKernels.forward(activation, input: z, output: work.post[l], count: rows * outWidth)
                input = UnsafePointer(work.post[l])
            }
        }
    }

    /// Σ loss of `rows` rows and their outputs (as ``predict(_:_:rows:output:work:threads:)``
    /// writes them) from one forward pass: the same operations as ``accumulate`` performs before
    /// its backward pass, so the loss has the same bits, at a third of the cost.
    func lossAndOutput(
        _ p: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ labels: UnsafePointer<Float>, rows: Int,
        output: UnsafeMutablePointer<Float>, work: Workspace, threads: Int
    ) -> Double {
        forward(p, x, rows: rows, work: work, threads: threads)
        let outWidth = widths[layerCount]
        let logits = work.pre[layerCount - 1]
        let lossSum = headLoss(logits, labels, rows: rows, outWidth: outWidth, work: work)
        output.update(from: logits, count: rows * outWidth)
        return lossSum
    }

    /// Σ loss of the head over `rows` rows; leaves softmax probabilities in `logits` for softmax
    /// heads (values untouched for regression).
    private func headLoss(
        _ logits: UnsafeMutablePointer<Float>, _ labels: UnsafePointer<Float>, rows: Int, outWidth: Int,
        work: Workspace
    ) -> Double {
        var lossSum = 0.0
        if softmaxHead {
            var picked = [Float](repeating: 0, count: rows)
            for r in 0..<rows { picked[r] = logits[r * outWidth + Int(labels[r])] }
            SoftmaxKernel.softmaxRows(logits, rows: rows, columns: outWidth, logSumExp: work.logSumExp)
            for r in 0..<rows { lossSum += Double(work.logSumExp[r] - picked[r]) }
        } else {
            for r in 0..<rows {
                let residual = logits[r] - labels[r]
                lossSum += Double(residual * residual)
            }
        }
        return lossSum
    }

    /// Adds Σ per-example gradients of `rows` rows to `g` and returns Σ loss.
    func accumulate(
        _ p: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ labels: UnsafePointer<Float>, rows: Int,
        gradient g: UnsafeMutablePointer<Float>, work: Workspace, threads: Int
    ) -> Double {
        forward(p, x, rows: rows, work: work, threads: threads)
        let outWidth = widths[layerCount]
        let delta = work.pre[layerCount - 1]
        let lossSum = headLoss(delta, labels, rows: rows, outWidth: outWidth, work: work)
        // The head's gradient: softmax − one-hot, or 2 × residual.
        if softmaxHead {
            for r in 0..<rows { delta[r * outWidth + Int(labels[r])] -= 1 }
        } else {
            for r in 0..<rows { delta[r] = 2 * (delta[r] - labels[r]) }
        }
        var l = layerCount - 1
        while l >= 0 {
            let inWidth = widths[l], width = widths[l + 1]
            let d = work.pre[l]
            let input = l == 0 ? x : UnsafePointer(work.post[l - 1])
            GEMM.sgemm(
                transposeA: true, transposeB: false, m: width, n: inWidth, k: rows,
                a: d, lda: width, b: input, ldb: inWidth,
                c: g + weightOffsets[l], ldc: inWidth, accumulate: true, threads: threads)
            let biasGradient = g + biasOffsets[l]
            for r in 0..<rows { addRow(d + r * width, into: biasGradient, count: width) }
            if l > 0 {
                GEMM.sgemm(
                    transposeA: false, transposeB: false, m: rows, n: inWidth, k: width,
                    a: d, lda: width, b: p + weightOffsets[l], ldb: inWidth,
                    c: work.upstream, ldc: inWidth, accumulate: false, threads: threads)
                ActivationKernels.backward(
                    activation, preActivation: work.pre[l - 1], activation: work.post[l - 1],
                    upstream: work.upstream, downstream: work.pre[l - 1], count: rows * inWidth)
            }
            l -= 1
        }
        return lossSum
    }

    /// Writes the network output for `rows` rows: class probabilities or regression values.
    func predict(
        _ p: UnsafePointer<Float>, _ x: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>,
        work: Workspace, threads: Int
    ) {
        forward(p, x, rows: rows, work: work, threads: threads)
        let outWidth = widths[layerCount]
        let logits = work.pre[layerCount - 1]
        if softmaxHead {
            SoftmaxKernel.softmaxRows(logits, rows: rows, columns: outWidth, logSumExp: work.logSumExp)
        }
        output.update(from: logits, count: rows * outWidth)
    }

    @inline(__always)
    private func addRow(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int) {
        var j = 0
        while j + 8 <= count {
            store8(load8(target + j) + load8(source + j), target + j)
            j += 8
        }
        while j < count {
            target[j] += source[j]
            j += 1
        }
    }
}
