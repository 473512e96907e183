/// Linear and logistic regression through the fused kernel, chunked for thread invariance.
extension Model {
    var link: FusedLinearKernel.Link { spec.kind == .logistic ? .logistic : .identity }

    /// Fixed chunks of ``linearRowsPerChunk`` rows, each reduced into its own partial buffer, then
    /// the partials are added to `gradient` in chunk order.
    func linearGradient(
        _ p: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, rows: Int,
        gradient: UnsafeMutablePointer<Float>, threads: Int
    ) -> Double {
        let columns = spec.inputs
        let stride = columns + 1
        let chunks = (rows + Model.linearRowsPerChunk - 1) / Model.linearRowsPerChunk
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: chunks * stride)
        partials.initialize(repeating: 0, count: chunks * stride)
        let losses = UnsafeMutablePointer<Double>.allocate(capacity: chunks)
        defer {
            partials.deallocate()
            losses.deallocate()
        }
        let link = self.link
        let bias = p[columns]
        ParallelFor.run(chunks, threads: threads) { chunk in
            let start = chunk * Model.linearRowsPerChunk
            let count = min(Model.linearRowsPerChunk, rows - start)
            let partial = partials + chunk * stride
            losses[chunk] = FusedLinearKernel.accumulate(
                link: link, features: x + start * columns, labels: y + start, rows: count, columns: columns,
                weights: p, bias: bias, gradWeights: partial, gradBias: partial + columns)
        }
        var lossSum = 0.0
        for chunk in 0..<chunks {
            lossSum += losses[chunk]
            let partial = partials + chunk * stride
            var k = 0
            while k + 8 <= stride {
                store8(load8(gradient + k) + load8(partial + k), gradient + k)
                k += 8
            }
            while k < stride {
                gradient[k] += partial[k]
                k += 1
            }
        }
        return lossSum
    }

    /// Σ loss as ``linearGradient(_:_:_:rows:gradient:threads:)`` computes it (same chunks, same
    /// order: bitwise) and `output` as ``linearPredict(_:_:rows:output:)`` fills it, in one pass
    /// over the rows and without the gradient.
    func linearLossAndOutput(
        _ p: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, rows: Int,
        output: UnsafeMutablePointer<Float>, threads: Int
    ) -> Double {
        let columns = spec.inputs
        let chunks = (rows + Model.linearRowsPerChunk - 1) / Model.linearRowsPerChunk
        let losses = UnsafeMutablePointer<Double>.allocate(capacity: chunks)
        defer { losses.deallocate() }
        let link = self.link
        let bias = p[columns]
        ParallelFor.run(chunks, threads: threads) { chunk in
            let start = chunk * Model.linearRowsPerChunk
            let count = min(Model.linearRowsPerChunk, rows - start)
            losses[chunk] = FusedLinearKernel.lossAndPredictions(
                link: link, features: x + start * columns, labels: y + start, rows: count, columns: columns,
                weights: p, bias: bias, predictions: output + start)
        }
        var lossSum = 0.0
        for chunk in 0..<chunks { lossSum += losses[chunk] }
        applyLink(output, rows: rows)
        return lossSum
    }

    /// ŷ = w·x + b per row, passed through σ for logistic regression.
    func linearPredict(
        _ p: UnsafePointer<Float>, _ x: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>
    ) {
        let columns = spec.inputs
        let full = columns & ~7
        for r in 0..<rows {
            output[r] = treeSum(FusedLinearKernel.singleDot(x + r * columns, p, full, columns - full)) + p[columns]
        }
        applyLink(output, rows: rows)
    }

    /// σ over `rows` values for logistic regression; nothing for linear regression.
    private func applyLink(_ output: UnsafeMutablePointer<Float>, rows: Int) {
        if spec.kind == .logistic {
            var r = 0
            while r + 8 <= rows {
                store8(VectorMath.sigmoid(load8(output + r)), output + r)
                r += 8
            }
            if r < rows {
                storePartial(VectorMath.sigmoid(loadPartial(output + r, count: rows - r)), output + r, count: rows - r)
            }
        }
    }
}
