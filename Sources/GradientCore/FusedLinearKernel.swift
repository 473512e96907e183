/// The fused single-pass gradient of the linear models (linear and logistic regression).
///
/// X is streamed from memory once, in blocks of ``blockRows`` rows (8 KiB at 128 columns) that
/// stay in L1 while they are used three times:
/// 1. each row's dot product with the weights, read front to back (four FMA chains,
///    tree-combined) — the only pass that reads X from memory;
/// 2. link function, residual and loss, vectorised over the block's logits;
/// 3. the gradient Xᵀ·r of the block from L1: column tiles of 64 held in 8 accumulators over the
///    block's rows, then added to `gradWeights` once per block.
///
/// DRAM is kept busy by software prefetches ``prefetchDistance`` bytes ahead, issued evenly
/// through passes 1 and 3 (see ``PrefetchCursor``): without them the memory stream stalls while
/// the core computes and the kernel reaches about 2/3 of the read bandwidth. Interleaving rows in
/// pass 1 (fewer weight loads) is faster in cache but slower from DRAM, so rows are read in memory
/// order. The summation order depends only on `rows` and `columns`, never on the caller's
/// threading. Scalar twin:
/// ``ScalarKernels/linearGradient(link:features:labels:rows:columns:weights:bias:gradWeights:gradBias:)``
/// (same sums, plain row order; agreement is checked to a relative 1e-4).
package enum FusedLinearKernel {
    /// Link and loss of a linear model.
    package enum Link: Sendable {
        /// ŷ = z, loss (z − y)², ∂loss/∂z = 2(z − y).
        case identity
        /// p = σ(z), loss = binary cross-entropy on the logit, ∂loss/∂z = σ(z) − y.
        case logistic
    }

    /// Rows per block: small enough that the block (and the prefetched data ahead of it) stays in
    /// L1 at the usual widths, large enough to amortise the gradient's load and store per block.
    static let blockRows = 16

    /// How far ahead of the block being computed X is prefetched, in bytes. On the reference
    /// machine 8–64 KiB measured the same within noise and 4 KiB was slower (docs/benchmarks-history.md).
    static let prefetchDistance = 16_384

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
    /// returns Σ_rows loss. `features` is rows × columns, row-major. O(rows · columns), one pass
    /// over `features` from memory.
    package static func accumulate(
        link: Link, features: UnsafePointer<Float>, labels: UnsafePointer<Float>, rows: Int, columns: Int,
        weights: UnsafePointer<Float>, bias: Float,
        gradWeights: UnsafeMutablePointer<Float>, gradBias: UnsafeMutablePointer<Float>
    ) -> Double {
        guard rows > 0 else { return 0 }
        let (full, tail) = (columns & ~7, columns & 7)
        // The cursor is declared outside the closure, so it lives in memory: each step waits for the
        // previous one through a store-to-load forward, which spaces the prefetches out. Keeping it
        // in registers (declared inside the closure) measured 2–10% slower from DRAM.
        var prefetch = rowCursor(features, rows: rows, columns: columns)
        let (lossSum, biasSum) = withUnsafeTemporaryAllocation(of: Float.self, capacity: blockRows) { buffer in
            let residuals = buffer.baseAddress!
            var lossSum = 0.0
            var biasSum = gradBias.pointee
            var start = 0
            while start < rows {
                let count = min(blockRows, rows - start)
                let x = features + start * columns
                prefetch.aim(atBlockEnd: UnsafeRawPointer(x + count * columns))
                // 1. Logits (from memory).
                for r in 0..<count {
                    residuals[r] = treeSum(dot(x + r * columns, weights, full, tail, &prefetch)) + bias
                }
                // 2. Residuals and losses, 8 logits at a time; lanes past `count` are zeroed.
                blockResiduals(
                    link, residuals, labels: labels + start, count: count, lossSum: &lossSum, biasSum: &biasSum)
                // 3. gradWeights += X_blockᵀ · r (from L1).
                accumulateTransposed(
                    x, columns: columns, rows: count, residuals: residuals, into: gradWeights, &prefetch)
                prefetch.finishBlock()
                start += count
            }
            return (lossSum, biasSum)
        }
        gradBias.pointee = biasSum
        return lossSum
    }

    /// One pass over the rows for an evaluation: returns the loss sum ``accumulate(link:features:labels:rows:columns:weights:bias:gradWeights:gradBias:)``
    /// returns for them, bitwise (the same logits, blocks and lane sums), and writes each row's
    /// w·x + b as `Model.linearPredict` sums it (one accumulator, before the link) to
    /// `predictions`. No gradient; the row is read once for both dot products.
    package static func lossAndPredictions(
        link: Link, features: UnsafePointer<Float>, labels: UnsafePointer<Float>, rows: Int, columns: Int,
        weights: UnsafePointer<Float>, bias: Float, predictions: UnsafeMutablePointer<Float>
    ) -> Double {
        guard rows > 0 else { return 0 }
        let (full, tail) = (columns & ~7, columns & 7)
        var prefetch = rowCursor(features, rows: rows, columns: columns)  // outside the closure, as in accumulate
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: blockRows) { buffer in
            let logits = buffer.baseAddress!
            var lossSum = 0.0
            var start = 0
            while start < rows {
                let count = min(blockRows, rows - start)
                let x = features + start * columns
                prefetch.aim(atBlockEnd: UnsafeRawPointer(x + count * columns))
                for r in 0..<count {
                    let row = x + r * columns
                    logits[r] = treeSum(dot(row, weights, full, tail, &prefetch)) + bias
                    predictions[start + r] = treeSum(singleDot(row, weights, full, tail)) + bias
                }
                var unusedBiasSum: Float = 0
                blockResiduals(
                    link, logits, labels: labels + start, count: count, lossSum: &lossSum, biasSum: &unusedBiasSum)
                prefetch.finishBlock()
                start += count
            }
            return lossSum
        }
    }

    /// The prefetch cursor over `rows` rows of `columns` features, for both passes.
    @inline(__always)
    static func rowCursor(_ features: UnsafePointer<Float>, rows: Int, columns: Int) -> PrefetchCursor {
        PrefetchCursor(
            start: UnsafeRawPointer(features), distance: prefetchDistance,
            end: UnsafeRawPointer(features + rows * columns))
    }

    /// Step 2 of both passes: replaces `count` logits with their residuals and adds their losses
    /// and residuals to the sums, 8 at a time; lanes past `count` are zeroed. One function, so
    /// the evaluation's loss has the gradient pass's bits by construction.
    @inline(__always)
    static func blockResiduals(
        _ link: Link, _ z: UnsafeMutablePointer<Float>, labels: UnsafePointer<Float>, count: Int,
        lossSum: inout Double, biasSum: inout Float
    ) {
        var g = 0
        while g < count {
            let valid = min(8, count - g)
            if valid == 8 {
                let (d, loss) = residualAndLoss(link, z: load8(z + g), y: load8(labels + g))
                lossSum += Double(treeSum(loss))
                biasSum += treeSum(d)
                store8(d, z + g)
            } else {
                let outside = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) .>= Int32(valid)
                var (d, loss) = residualAndLoss(
                    link, z: loadPartial(z + g, count: valid), y: loadPartial(labels + g, count: valid))
                d = d.replacing(with: 0, where: outside)
                loss = loss.replacing(with: 0, where: outside)
                lossSum += Double(treeSum(loss))
                biasSum += treeSum(d)
                storePartial(d, z + g, count: valid)
            }
            g += 8
        }
    }

    /// x · w with one accumulator, 8 columns at a time (lane sums left to the caller): the
    /// order `Model.linearPredict` sums in.
    @inline(__always)
    static func singleDot(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ full: Int, _ tail: Int) -> SIMD8<
        Float
    > {
        var acc = SIMD8<Float>()
        var k = 0
        while k < full {
            acc = acc.addingProduct(load8(x + k), load8(w + k))
            k += 8
        }
        if tail > 0 { acc = acc.addingProduct(loadPartial(x + k, count: tail), loadPartial(w + k, count: tail)) }
        return acc
    }

    /// x · w over `full` (multiple of 8) + `tail` columns, read front to back with four
    /// independent accumulators (lane sums left to the caller). One prefetch per 32 columns.
    @inline(__always)
    static func dot(
        _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ full: Int, _ tail: Int, _ prefetch: inout PrefetchCursor
    ) -> SIMD8<Float> {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var k = 0
        while k + 64 <= full {
            prefetch.step()
            a0 = a0.addingProduct(load8(x + k), load8(w + k))
            a1 = a1.addingProduct(load8(x + k + 8), load8(w + k + 8))
            a2 = a2.addingProduct(load8(x + k + 16), load8(w + k + 16))
            a3 = a3.addingProduct(load8(x + k + 24), load8(w + k + 24))
            prefetch.step()
            a0 = a0.addingProduct(load8(x + k + 32), load8(w + k + 32))
            a1 = a1.addingProduct(load8(x + k + 40), load8(w + k + 40))
            a2 = a2.addingProduct(load8(x + k + 48), load8(w + k + 48))
            a3 = a3.addingProduct(load8(x + k + 56), load8(w + k + 56))
            k += 64
        }
        if k + 32 <= full {
            prefetch.step()
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
        return (a0 + a1) + (a2 + a3)
    }

    /// `g[0..<columns] += Σ_r residuals[r] · x[r, 0..<columns]` for a block of rows in cache: each
    /// column tile's partial sums run over the rows in order, then are added to `g` once.
    /// One prefetch per row of each 64-column tile.
    @inline(__always)
    static func accumulateTransposed(
        _ x: UnsafePointer<Float>, columns: Int, rows: Int, residuals d: UnsafePointer<Float>,
        into g: UnsafeMutablePointer<Float>, _ prefetch: inout PrefetchCursor
    ) {
        var c = 0
        while c + 64 <= columns {
            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
            var a4 = SIMD8<Float>(), a5 = SIMD8<Float>(), a6 = SIMD8<Float>(), a7 = SIMD8<Float>()
            var row = x + c
            for r in 0..<rows {
                prefetch.step()
                let s = SIMD8<Float>(repeating: d[r])
                a0 = a0.addingProduct(load8(row), s)
                a1 = a1.addingProduct(load8(row + 8), s)
                a2 = a2.addingProduct(load8(row + 16), s)
                a3 = a3.addingProduct(load8(row + 24), s)
                a4 = a4.addingProduct(load8(row + 32), s)
                a5 = a5.addingProduct(load8(row + 40), s)
                a6 = a6.addingProduct(load8(row + 48), s)
                a7 = a7.addingProduct(load8(row + 56), s)
                row += columns
            }
            let t = g + c
            store8(load8(t) + a0, t); store8(load8(t + 8) + a1, t + 8)
            store8(load8(t + 16) + a2, t + 16); store8(load8(t + 24) + a3, t + 24)
            store8(load8(t + 32) + a4, t + 32); store8(load8(t + 40) + a5, t + 40)
            store8(load8(t + 48) + a6, t + 48); store8(load8(t + 56) + a7, t + 56)
            c += 64
        }
        while c + 8 <= columns {
            var a0 = SIMD8<Float>()
            var row = x + c
            for r in 0..<rows {
                a0 = a0.addingProduct(load8(row), SIMD8<Float>(repeating: d[r]))
                row += columns
            }
            store8(load8(g + c) + a0, g + c)
            c += 8
        }
        if c < columns {
            let width = columns - c
            var a0 = SIMD8<Float>()
            var row = x + c
            for r in 0..<rows {
                a0 = a0.addingProduct(loadPartial(row, count: width), SIMD8<Float>(repeating: d[r]))
                row += columns
            }
            storePartial(loadPartial(g + c, count: width) + a0, g + c, count: width)
        }
    }
}

extension FusedLinearKernel {
    /// Software prefetch of the feature stream, running a fixed distance ahead of the block being
    /// computed and never past the end of the batch.
    ///
    /// The kernel calls ``step()`` from its inner loops, so the prefetches are spread over the time
    /// spent on a block (issuing a block's prefetches all in one pass measured slower), and
    /// ``finishBlock()`` issues whatever a block's loops did not cover (at 128 columns: 4 lines per
    /// row in pass 1, 2 in pass 3, 2 at the end of the block).
    /// Each block advances the target by its own size, so every 64-byte line of X from
    /// `start + distance` on is prefetched exactly once.
    struct PrefetchCursor {
        private var next: UnsafeRawPointer
        private var target: UnsafeRawPointer
        private let distance: Int
        private let end: UnsafeRawPointer

        /// A cursor over `start..<end` whose first prefetch is `distance` bytes past `start`.
        init(start: UnsafeRawPointer, distance: Int, end: UnsafeRawPointer) {
            self.distance = distance
            self.end = end
            next = end - start > distance ? start + distance : end
            target = next
        }

        /// Sets the target for the block that ends at `blockEnd` (at most `end`): `distance` bytes
        /// past it, clamped to `end`. Only addresses below the target are prefetched; `next` can
        /// pass it by less than one line, and is then only compared.
        @inline(__always)
        mutating func aim(atBlockEnd blockEnd: UnsafeRawPointer) {
            target = end - blockEnd > distance ? blockEnd + distance : end
        }

        /// Prefetches the next line if the cursor is behind the target.
        @inline(__always)
        mutating func step() {
            if next < target {
                prefetchLine(next)
                next += 64
            }
        }

        /// Prefetches every line up to the target.
        @inline(__always)
        mutating func finishBlock() {
            while next < target {
                prefetchLine(next)
                next += 64
            }
        }
    }
}

/// Prefetch of the cache line holding `address` into all cache levels (read, high locality).
///
/// Swift has no prefetch function (`_m_prefetch` imports but compiles to nothing), so this binds
/// LLVM's `llvm.prefetch` intrinsic directly: `prefetcht0` on x86-64, `prfm pldl1keep` on arm64.
/// The last three arguments must be literal constants at every call site. A prefetch never
/// faults, but callers keep `address` inside the buffer anyway.
@inline(__always)
private func prefetchLine(_ address: UnsafeRawPointer) {
    llvmPrefetch(address, 0, 3, 1)
}

@_silgen_name("llvm.prefetch.p0")
private func llvmPrefetch(_ address: UnsafeRawPointer, _ write: Int32, _ locality: Int32, _ cacheType: Int32)
