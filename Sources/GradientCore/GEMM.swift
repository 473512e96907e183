/// Single-precision matrix multiply: packed, cache-blocked (BLIS loop order) with a 6×16
/// `SIMD8<Float>` FMA micro-kernel (12 accumulator registers). Scalar twin: ``ScalarKernels/sgemm``.
///
/// Every element of C is reduced in the same order whatever the thread count — k split into
/// equal blocks of at most ``kc``, in ascending order, each block's FMAs chained onto C — so
/// results are bitwise identical for any `threads`. Two shapes skip packing: a shallow product
/// (k ≤ 8, same bits as the packed path) and a few rows against a transposed B (m ≤ 4, dot
/// products); the path depends only on the shape and transpositions, never on `threads`.
package enum GEMM {
    /// Micro-tile rows.
    package static let mr = 6
    /// Micro-tile columns (two 8-lane vectors).
    package static let nr = 16
    /// Depth of one packed block (B micro-panel of kc × nr floats = 16 KiB stays in L1).
    package static let kc = 256
    /// Rows of one packed A block (mc × kc floats = 96 KiB, in L2).
    package static let mc = 96
    /// Columns of one packed B block.
    package static let nc = 2048

    /// C (m × n) = op(A) · op(B), or C += op(A) · op(B) when `accumulate` is true.
    ///
    /// All matrices are row-major. op(A) is m × k: A itself (m × k, leading dimension `lda`) or,
    /// with `transposeA`, the transpose of the stored k × m matrix. Likewise op(B) is k × n.
    /// `threads` > 1 splits C into column (or row) ranges computed in parallel.
    /// Cost: 2·m·n·k flops plus O(m·k + k·n) packing per block.
    package static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, threads: Int = 1
    ) {
        let flops = m * n * k
        let workers = min(max(1, threads), flops >= 1 << 18 ? 64 : 1)
        if workers == 1 {
            serial(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
            return
        }
        if n >= m {
            let part = (n + workers - 1) / workers
            let width = (part + nr - 1) / nr * nr
            let parts = (n + width - 1) / width
            ParallelFor.run(parts, threads: workers) { index in
                let j0 = index * width
                let cols = min(width, n - j0)
                let bPart = transposeB ? b + j0 * ldb : b + j0
                serial(transposeA, transposeB, m, cols, k, a, lda, bPart, ldb, c + j0, ldc, accumulate)
            }
        } else {
            let part = (m + workers - 1) / workers
            let height = (part + mr - 1) / mr * mr
            let parts = (m + height - 1) / height
            ParallelFor.run(parts, threads: workers) { index in
                let i0 = index * height
                let rows = min(height, m - i0)
                let aPart = transposeA ? a + i0 : a + i0 * lda
                serial(transposeA, transposeB, rows, n, k, aPart, lda, b, ldb, c + i0 * ldc, ldc, accumulate)
            }
        }
    }

    static func serial(
        _ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ accumulate: Bool
    ) {
        if !accumulate {
            for i in 0..<m { (c + i * ldc).initialize(repeating: 0, count: n) }
        }
        if m == 0 || n == 0 || k == 0 { return }
        if !transposeB && k <= smallDepth {
            shallow(transposeA, m, n, k, a, lda, b, ldb, c, ldc)
            return
        }
        if !transposeA && transposeB && m <= fewRows {
            rowDots(m, n, k, a, lda, b, ldb, c, ldc)
            return
        }
        packed(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc)
    }

    /// C += op(A) · op(B) through packed blocks and the 6×16 micro-kernel (m, n, k > 0).
    static func packed(
        _ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        let bWidth = min(nc, (n + nr - 1) / nr * nr)
        let aHeight = min(mc, (m + mr - 1) / mr * mr)
        // Equal-depth k blocks (e.g. 784 = 4 × 196, not 3 × 256 + 16); depends on k only, so every
        // thread count reduces each element in the same order.
        let depth = (k + (k + kc - 1) / kc - 1) / ((k + kc - 1) / kc)
        let packedA = UnsafeMutableRawPointer.allocate(byteCount: aHeight * depth * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: aHeight * depth)
        let packedB = UnsafeMutableRawPointer.allocate(byteCount: bWidth * depth * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: bWidth * depth)
        defer {
            packedA.deallocate()
            packedB.deallocate()
        }
        var jc = 0
        while jc < n {
            let ncb = min(nc, n - jc)
            var pc = 0
            while pc < k {
                let kcb = min(depth, k - pc)
                packB(transposeB, b, ldb, pc, jc, kcb, ncb, packedB)
                var ic = 0
                while ic < m {
                    let mcb = min(mc, m - ic)
                    packA(transposeA, a, lda, ic, pc, mcb, kcb, packedA)
                    var jr = 0
                    while jr < ncb {
                        let cols = min(nr, ncb - jr)
                        var ir = 0
                        while ir < mcb {
                            microKernel(
                                kcb, packedA + ir * kcb, packedB + jr * kcb,
                                c + (ic + ir) * ldc + jc + jr, ldc, min(mr, mcb - ir), cols)
                            ir += mr
                        }
                        jr += nr
                    }
                    ic += mc
                }
                pc += depth
            }
            jc += nc
        }
    }

    /// Depth up to which ``shallow`` replaces packing (rank-k updates such as a weight gradient
    /// over a few rows).
    static let smallDepth = 8
    /// Rows up to which ``rowDots`` replaces packing (a forward pass over a few rows).
    static let fewRows = 4

    /// C += op(A) · B for small k, B not transposed: streams each row of C once, eight columns at a
    /// time. Every element gets the same chain of fused multiply-adds, p = 0 ..< k in order,
    /// starting from C, as the packed path computes, so the bits are the same; it only avoids
    /// packing and the 6-row tile walk that make a memory-bound rank-k update slow.
    static func shallow(
        _ transposeA: Bool, _ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int,
        _ b: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: smallDepth) { factors in
            for i in 0..<m {
                for p in 0..<k { factors[p] = transposeA ? a[p * lda + i] : a[i * lda + p] }
                let row = c + i * ldc
                var j = 0
                while j + 8 <= n {
                    var acc = load8(row + j)
                    for p in 0..<k { acc = acc.addingProduct(SIMD8(repeating: factors[p]), load8(b + p * ldb + j)) }
                    store8(acc, row + j)
                    j += 8
                }
                while j < n {
                    var acc = row[j]
                    for p in 0..<k { acc = acc.addingProduct(factors[p], b[p * ldb + j]) }
                    row[j] = acc
                    j += 1
                }
            }
        }
    }

    /// C += A · Bᵀ for a few rows of A (B stored n × k, as dense-layer weights are): one dot product
    /// per element over contiguous memory, B read once for all the rows. Eight lanes of fused
    /// multiply-adds over p, a fixed lane reduction, then the tail in order: the bits depend only
    /// on the shape (so not on the thread count), though not the same as the packed path's.
    static func rowDots(
        _ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int,
        _ b: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        let body = k & ~7
        for j in 0..<n {
            let column = b + j * ldb
            for i in 0..<m {
                let row = a + i * lda
                var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
                var p = 0
                while p + 16 <= body {
                    acc0 = acc0.addingProduct(load8(row + p), load8(column + p))
                    acc1 = acc1.addingProduct(load8(row + p + 8), load8(column + p + 8))
                    p += 16
                }
                if p < body {
                    acc0 = acc0.addingProduct(load8(row + p), load8(column + p))
                    p += 8
                }
                var dot = treeSum(acc0 + acc1)
                while p < k {
                    dot = dot.addingProduct(row[p], column[p])
                    p += 1
                }
                c[i * ldc + j] += dot
            }
        }
    }

    /// Packs op(A)[ic..<ic+mcb, pc..<pc+kcb] into mr-row panels, k-major, zero-padded.
    @inline(__always)
    static func packA(
        _ transposed: Bool, _ a: UnsafePointer<Float>, _ lda: Int, _ ic: Int, _ pc: Int, _ mcb: Int, _ kcb: Int,
        _ dst: UnsafeMutablePointer<Float>
    ) {
        var ir = 0
        while ir < mcb {
            let rows = min(mr, mcb - ir)
            let panel = dst + ir * kcb
            if rows < mr { panel.initialize(repeating: 0, count: mr * kcb) }
            if transposed {
                for p in 0..<kcb {
                    let src = a + (pc + p) * lda + ic + ir
                    for i in 0..<rows { panel[p * mr + i] = src[i] }
                }
            } else {
                for i in 0..<rows {
                    let src = a + (ic + ir + i) * lda + pc
                    for p in 0..<kcb { panel[p * mr + i] = src[p] }
                }
            }
            ir += mr
        }
    }

    /// Packs op(B)[pc..<pc+kcb, jc..<jc+ncb] into nr-column panels, k-major, zero-padded.
    @inline(__always)
    static func packB(
        _ transposed: Bool, _ b: UnsafePointer<Float>, _ ldb: Int, _ pc: Int, _ jc: Int, _ kcb: Int, _ ncb: Int,
        _ dst: UnsafeMutablePointer<Float>
    ) {
        var jr = 0
        while jr < ncb {
            let cols = min(nr, ncb - jr)
            let panel = dst + jr * kcb
            if transposed {
                if cols < nr { panel.initialize(repeating: 0, count: nr * kcb) }
                for j in 0..<cols {
                    let src = b + (jc + jr + j) * ldb + pc
                    for p in 0..<kcb { panel[p * nr + j] = src[p] }
                }
            } else if cols == nr {
                for p in 0..<kcb {
                    let src = b + (pc + p) * ldb + jc + jr
                    store8(load8(src), panel + p * nr)
                    store8(load8(src + 8), panel + p * nr + 8)
                }
            } else {
                for p in 0..<kcb {
                    let src = b + (pc + p) * ldb + jc + jr
                    let row = panel + p * nr
                    for j in 0..<nr { row[j] = j < cols ? src[j] : 0 }
                }
            }
            jr += nr
        }
    }

    /// C[0..<rows, 0..<cols] += Ap (kcb × mr) · Bp (kcb × nr).
    ///
    /// The accumulators start from C (BLAS style), so C is read before the FMA loop rather than
    /// after it; edge tiles go through a zero-padded copy with exactly the same arithmetic.
    @inline(__always)
    static func microKernel(
        _ kcb: Int, _ ap: UnsafePointer<Float>, _ bp: UnsafePointer<Float>,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ rows: Int, _ cols: Int
    ) {
        let full = rows == mr && cols == nr
        withUnsafeTemporaryAllocation(of: Float.self, capacity: mr * nr) { tileBuffer in
            let tile = tileBuffer.baseAddress!
            let target: UnsafeMutablePointer<Float>
            let stride: Int
            if full {
                target = c
                stride = ldc
            } else {
                tile.initialize(repeating: 0, count: mr * nr)
                for i in 0..<rows {
                    for j in 0..<cols { tile[i * nr + j] = c[i * ldc + j] }
                }
                target = tile
                stride = nr
            }
            let r0 = target, r1 = target + stride, r2 = target + 2 * stride
            let r3 = target + 3 * stride, r4 = target + 4 * stride, r5 = target + 5 * stride
            var c00 = load8(r0), c01 = load8(r0 + 8), c10 = load8(r1), c11 = load8(r1 + 8)
            var c20 = load8(r2), c21 = load8(r2 + 8), c30 = load8(r3), c31 = load8(r3 + 8)
            var c40 = load8(r4), c41 = load8(r4 + 8), c50 = load8(r5), c51 = load8(r5 + 8)
            var a = ap
            var b = bp
            for _ in 0..<kcb {
                let b0 = load8(b), b1 = load8(b + 8)
                var s = SIMD8<Float>(repeating: a[0])
                c00 = c00.addingProduct(s, b0); c01 = c01.addingProduct(s, b1)
                s = SIMD8<Float>(repeating: a[1])
                c10 = c10.addingProduct(s, b0); c11 = c11.addingProduct(s, b1)
                s = SIMD8<Float>(repeating: a[2])
                c20 = c20.addingProduct(s, b0); c21 = c21.addingProduct(s, b1)
                s = SIMD8<Float>(repeating: a[3])
                c30 = c30.addingProduct(s, b0); c31 = c31.addingProduct(s, b1)
                s = SIMD8<Float>(repeating: a[4])
                c40 = c40.addingProduct(s, b0); c41 = c41.addingProduct(s, b1)
                s = SIMD8<Float>(repeating: a[5])
                c50 = c50.addingProduct(s, b0); c51 = c51.addingProduct(s, b1)
                a += mr
                b += nr
            }
            store8(c00, r0); store8(c01, r0 + 8); store8(c10, r1); store8(c11, r1 + 8)
            store8(c20, r2); store8(c21, r2 + 8); store8(c30, r3); store8(c31, r3 + 8)
            store8(c40, r4); store8(c41, r4 + 8); store8(c50, r5); store8(c51, r5 + 8)
            if !full {
                for i in 0..<rows {
                    for j in 0..<cols { c[i * ldc + j] = tile[i * nr + j] }
                }
            }
        }
    }
}
