/// Numerically stable row-wise softmax and log-sum-exp.
///
/// For each row: m = max, s = Σ e^(x−m), lse = m + log s, p = e^(x−m) / s. No overflow for any
/// finite input; the exponent is never positive. Scalar twin: ``ScalarKernels/softmaxRows(_:rows:columns:logSumExp:)``.
package enum SoftmaxKernel {
    /// Replaces each row of `values` (rows × columns, row-major) with its softmax and writes the
    /// row's log-sum-exp to `logSumExp[row]`. O(rows · columns).
    package static func softmaxRows(
        _ values: UnsafeMutablePointer<Float>, rows: Int, columns: Int, logSumExp: UnsafeMutablePointer<Float>
    ) {
        let full = columns & ~7
        let tail = columns - full
        for row in 0..<rows {
            let x = values + row * columns
            var m = SIMD8<Float>(repeating: -.infinity)
            var j = 0
            while j < full {
                m = pointwiseMax(m, load8(x + j))
                j += 8
            }
            if tail > 0 { m = pointwiseMax(m, loadPartial(x + full, count: tail, padding: -.infinity)) }
            let rowMax = SIMD8<Float>(repeating: treeMax(m))
            var s = SIMD8<Float>()
            j = 0
            while j < full {
                let e = VectorMath.exp(load8(x + j) - rowMax)
                store8(e, x + j)
                s += e
                j += 8
            }
            if tail > 0 {
                let e = VectorMath.exp(loadPartial(x + full, count: tail, padding: -.infinity) - rowMax)
                storePartial(e, x + full, count: tail)
                s += e
            }
            let sum = treeSum(s)
            let lse = rowMax[0] + VectorMath.log(SIMD8(repeating: sum))[0]
            logSumExp[row] = lse
            let inverse = SIMD8<Float>(repeating: 1 / sum)
            j = 0
            while j < full {
                store8(load8(x + j) * inverse, x + j)
                j += 8
            }
            if tail > 0 { storePartial(loadPartial(x + full, count: tail) * inverse, x + full, count: tail) }
        }
    }
}
