/// The fused single-pass gradient of the linear models (linear and logistic regression).
///
/// X is streamed from memory once, 8 rows (one 4 KiB block at 128 columns) at a time: each row's
/// dot product with the weights is read front to back (four FMA chains, tree-combined), the link
/// function, residual and loss are applied to the 8 logits as one vector, and the 8 rows — still
/// in L1 — are accumulated into the gradient. Rows are read in memory order because interleaving
/// the 8 rows' loads (fewer weight loads) measured 30% slower from DRAM. Scalar twin:
/// ``ScalarKernels/linearGradient(link:features:labels:rows:columns:weights:bias:gradWeights:gradBias:)``.
public enum FusedLinearKernel {
    /// Link and loss of a linear model.
    public enum Link: Sendable {
        /// ŷ = z, loss (z − y)², ∂loss/∂z = 2(z − y).
        case identity
        /// p = σ(z), loss = binary cross-entropy on the logit, ∂loss/∂z = σ(z) − y.
        case logistic
    }

    /// Per-example (∂loss/∂z, loss) for 8 logits.
    @inline(__always)
    static func residualAndLoss(_ link: Link, z: SIMD8<Float>, y: SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Float>) {
        switch link {
        case .identity:
            let r = z - y
            return (r + r, r * r)
        case .logistic:
            let t = VectorMath.exp(-VectorMath.abs(z))
            let inverse = 1 / (1 + t)
            let p = (inverse * t).replacing(with: inverse, where: z .>= 0)
            let loss = z.replacing(with: 0, where: z .< 0) - z * y + VectorMath.log1p(t)
            return (p - y, loss)
        }
    }

    /// Adds Σ_rows ∂loss/∂w to `gradWeights[0..<columns]` and Σ_rows ∂loss/∂b to `gradBias[0]`, and
    /// returns Σ_rows loss. `features` is rows × columns, row-major. O(rows · columns), one pass.
    public static func accumulate(
        link: Link, features: UnsafePointer<Float>, labels: UnsafePointer<Float>, rows: Int, columns: Int,
        weights: UnsafePointer<Float>, bias: Float,
        gradWeights: UnsafeMutablePointer<Float>, gradBias: UnsafeMutablePointer<Float>
    ) -> Double {
        var lossSum = 0.0
        var biasSum = gradBias.pointee
        let fullRows = rows & ~7
        var row = 0
        while row < fullRows {
            let y = UnsafeRawPointer(labels + row).loadUnaligned(as: SIMD8<Float>.self)
            block(link, features + row * columns, columns: columns, labels: y, valid: 8, weights: weights, bias: bias,
                  gradWeights: gradWeights, biasSum: &biasSum, lossSum: &lossSum)
            row += 8
        }
        if row < rows {
            let valid = rows - row
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 8 * columns)
            defer { scratch.deallocate() }
            scratch.initialize(repeating: 0, count: 8 * columns)
            scratch.update(from: features + row * columns, count: valid * columns)
            let y = loadPartial(labels + row, count: valid)
            block(link, scratch, columns: columns, labels: y, valid: valid, weights: weights, bias: bias,
                  gradWeights: gradWeights, biasSum: &biasSum, lossSum: &lossSum)
        }
        gradBias.pointee = biasSum
        return lossSum
    }

    @inline(__always)
    static func block(
        _ link: Link, _ x: UnsafePointer<Float>, columns: Int, labels y: SIMD8<Float>, valid: Int,
        weights: UnsafePointer<Float>, bias: Float, gradWeights: UnsafeMutablePointer<Float>,
        biasSum: inout Float, lossSum: inout Double
    ) {
        let full = columns & ~7
        let tail = columns - full
        let x0 = x, x1 = x + columns, x2 = x + 2 * columns, x3 = x + 3 * columns
        let x4 = x + 4 * columns, x5 = x + 5 * columns, x6 = x + 6 * columns, x7 = x + 7 * columns
        let z = SIMD8<Float>(
            dot(x0, weights, full, tail), dot(x1, weights, full, tail),
            dot(x2, weights, full, tail), dot(x3, weights, full, tail),
            dot(x4, weights, full, tail), dot(x5, weights, full, tail),
            dot(x6, weights, full, tail), dot(x7, weights, full, tail)) + bias
        var (d, loss) = residualAndLoss(link, z: z, y: y)
        if valid < 8 {
            let outside = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) .>= Int32(valid)
            d = d.replacing(with: 0, where: outside)
            loss = loss.replacing(with: 0, where: outside)
        }
        lossSum += Double(treeSum(loss))
        biasSum += treeSum(d)
        let d0 = SIMD8<Float>(repeating: d[0]), d1 = SIMD8<Float>(repeating: d[1])
        let d2 = SIMD8<Float>(repeating: d[2]), d3 = SIMD8<Float>(repeating: d[3])
        let d4 = SIMD8<Float>(repeating: d[4]), d5 = SIMD8<Float>(repeating: d[5])
        let d6 = SIMD8<Float>(repeating: d[6]), d7 = SIMD8<Float>(repeating: d[7])
        var k = 0
        while k < full {
            let p01 = (load8(x0 + k) * d0).addingProduct(load8(x1 + k), d1)
            let p23 = (load8(x2 + k) * d2).addingProduct(load8(x3 + k), d3)
            let p45 = (load8(x4 + k) * d4).addingProduct(load8(x5 + k), d5)
            let p67 = (load8(x6 + k) * d6).addingProduct(load8(x7 + k), d7)
            store8(load8(gradWeights + k) + ((p01 + p23) + (p45 + p67)), gradWeights + k)
            k += 8
        }
        if tail > 0 {
            let p01 = (loadPartial(x0 + full, count: tail) * d0).addingProduct(loadPartial(x1 + full, count: tail), d1)
            let p23 = (loadPartial(x2 + full, count: tail) * d2).addingProduct(loadPartial(x3 + full, count: tail), d3)
            let p45 = (loadPartial(x4 + full, count: tail) * d4).addingProduct(loadPartial(x5 + full, count: tail), d5)
            let p67 = (loadPartial(x6 + full, count: tail) * d6).addingProduct(loadPartial(x7 + full, count: tail), d7)
            let g = loadPartial(gradWeights + full, count: tail) + ((p01 + p23) + (p45 + p67))
            storePartial(g, gradWeights + full, count: tail)
        }
    }

    /// x · w over `full` (multiple of 8) + `tail` columns, read front to back with four
    /// independent accumulators combined as a tree.
    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ full: Int, _ tail: Int) -> Float {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var k = 0
        while k + 32 <= full {
            a0 = a0.addingProduct(load8(x + k), load8(w + k))
            a1 = a1.addingProduct(load8(x + k + 8), load8(w + k + 8))
            a2 = a2.addingProduct(load8(x + k + 16), load8(w + k + 16))
            a3 = a3.addingProduct(load8(x + k + 24), load8(w + k + 24))
            k += 32
        }
        while k < full {
            a0 = a0.addingProduct(load8(x + k), load8(w + k))
            k += 8
        }
        if tail > 0 {
            a1 = a1.addingProduct(loadPartial(x + full, count: tail), loadPartial(w + full, count: tail))
        }
        return treeSum((a0 + a1) + (a2 + a3))
    }
}
