import Foundation
import Testing

@testable import GradientCore

/// Every SIMD kernel against its scalar twin, on awkward shapes.
@Suite struct KernelTwinTests {
    @Test func vectorExpLogTanhSigmoidMatchLibm() {
        var values: [Float] = [
            -200, -100, -87.5, -87, -50, -20, -3, -1, -0.5, -1e-3, -1e-6, 0, 1e-6, 1e-3, 0.5, 0.6249, 0.625, 1, 3, 20,
            50, 87, 87.9,
        ]
        values += TestData.floats(101, seed: 4, scale: 30)
        for start in stride(from: 0, to: values.count, by: 8) {
            let n = min(8, values.count - start)
            let v = values.withUnsafeBufferPointer { loadPartial($0.baseAddress! + start, count: n, padding: 1) }
            let e = VectorMath.exp(v), t = VectorMath.tanh(v), s = VectorMath.sigmoid(v)
            for lane in 0..<n {
                let x = v[lane]
                let expected = Foundation.exp(x)
                if x < -87 {
                    #expect(e[lane] == 0 || e[lane] < 1e-37)
                } else if x <= 88 {
                    #expect(abs(e[lane] - expected) <= 4 * expected.ulp, "exp(\(x))")
                }
                #expect(abs(t[lane] - Foundation.tanh(x)) <= 3e-7, "tanh(\(x))")
                #expect(abs(s[lane] - ScalarKernels.sigmoid(x)) <= 3e-7, "sigmoid(\(x))")
            }
        }
        let positives: [Float] = [1e-30, 1e-5, 0.3, 0.70710677, 0.7071068, 1, 1.5, 2, 10, 12345, 3e38]
        for x in positives {
            let l = VectorMath.log(SIMD8(repeating: x))[0]
            #expect(abs(l - Foundation.log(x)) <= 2 * max(Foundation.log(x).magnitude.ulp, Float.ulpOfOne), "log(\(x))")
        }
        for t: Float in [0, 1e-8, 1e-4, 0.01, 0.5, 1] {
            #expect(
                abs(VectorMath.log1p(SIMD8(repeating: t))[0] - Foundation.log1p(t)) <= 2 * Foundation.log1p(t).ulp
                    + 1e-12)
        }
        let x = SIMD16<Float>((0..<16).map { Float($0) * 0.25 })
        #expect(treeSum(x) == 30)
    }

    @Test(arguments: [1, 3, 7, 8, 9, 17, 64, 67])
    func activationsMatchScalar(count: Int) {
        let z = TestData.floats(count, seed: UInt64(count), scale: 6)
        let upstream = TestData.floats(count, seed: 77)
        for kind in ModelSpec.Activation.allCases {
            var a = [Float](repeating: 0, count: count), aScalar = a
            var d = a, dScalar = a
            ActivationKernels.forward(kind, input: z, output: &a, count: count)
            ScalarKernels.activationForward(kind, input: z, output: &aScalar, count: count)
            ActivationKernels.backward(
                kind, preActivation: z, activation: a, upstream: upstream, downstream: &d, count: count)
            ScalarKernels.activationBackward(
                kind, preActivation: z, upstream: upstream, downstream: &dScalar, count: count)
            #expect(TestData.maxRelativeError(a, aScalar) <= 1e-6, "\(kind) forward")
            #expect(TestData.maxRelativeError(d, dScalar) <= 2e-6, "\(kind) backward")
        }
    }

    @Test(arguments: [(1, 1), (1, 2), (3, 7), (5, 8), (4, 9), (2, 10), (6, 33)])
    func softmaxMatchesScalar(rows: Int, columns: Int) {
        var values = TestData.floats(rows * columns, seed: 3, scale: 5)
        if values.count > 1 {
            values[0] = 1000  // large logits must not overflow
            values[values.count - 1] = -1000
        }
        var simd = values, scalar = values
        var lse = [Float](repeating: 0, count: rows), lseScalar = lse
        SoftmaxKernel.softmaxRows(&simd, rows: rows, columns: columns, logSumExp: &lse)
        ScalarKernels.softmaxRows(&scalar, rows: rows, columns: columns, logSumExp: &lseScalar)
        #expect(simd.allSatisfy { $0.isFinite })
        #expect(TestData.maxRelativeError(simd, scalar) <= 1e-6)
        #expect(TestData.maxRelativeError(lse, lseScalar) <= 1e-6)
        for r in 0..<rows {
            let sum = simd[(r * columns)..<((r + 1) * columns)].reduce(0, +)
            #expect(abs(sum - 1) <= 1e-5)
        }
    }

    // Shapes cover one row/column, widths that are not multiples of 8, several blocks of rows plus a
    // partial one, and widths with 64-column tiles, 8-column tiles and a tail (e.g. 150 = 2·64 + 2·8 + 6);
    // 100 × 150 floats is larger than the prefetch distance, so the prefetch path runs too.
    @Test(arguments: [
        (1, 1), (1, 9), (7, 1), (8, 8), (9, 13), (17, 31), (33, 64), (20, 100), (16, 128), (37, 150), (100, 150),
        (3, 200),
    ])
    func fusedLinearGradientMatchesScalar(rows: Int, columns: Int) {
        let x = TestData.floats(rows * columns, seed: 5, scale: 3)
        let w = TestData.floats(columns, seed: 6, scale: 2)
        var labelRNG = Philox(seed: 8)
        let binary = (0..<rows).map { _ in Float(labelRNG.nextUInt32() & 1) }
        let targets = TestData.floats(rows, seed: 9)
        for link in [FusedLinearKernel.Link.identity, .logistic] {
            let y = link == .logistic ? binary : targets
            var g = [Float](repeating: 0.5, count: columns), gScalar = g
            var b: Float = 0.25, bScalar: Float = 0.25
            let loss = FusedLinearKernel.accumulate(
                link: link, features: x, labels: y, rows: rows, columns: columns, weights: w, bias: 0.3,
                gradWeights: &g, gradBias: &b)
            let lossScalar = ScalarKernels.linearGradient(
                link: link, features: x, labels: y, rows: rows, columns: columns, weights: w, bias: 0.3,
                gradWeights: &gScalar, gradBias: &bScalar)
            #expect(abs(loss - lossScalar) <= 1e-4 * max(1, abs(lossScalar)), "\(link) loss")
            #expect(TestData.maxRelativeError(g, gScalar) <= 1e-4, "\(link) weights")
            #expect(abs(b - bScalar) <= 1e-4 * max(1, abs(bScalar)), "\(link) bias")
        }
    }

    @Test func logisticLossStaysFiniteForLargeLogits() {
        let x: [Float] = [100, -100, 50, -50, 0.01]
        let y: [Float] = [0, 1, 1, 0, 1]
        var g = [Float](repeating: 0, count: 1), b: Float = 0
        let loss = FusedLinearKernel.accumulate(
            link: .logistic, features: x, labels: y, rows: 5, columns: 1, weights: [1], bias: 0,
            gradWeights: &g, gradBias: &b)
        var gs = [Float](repeating: 0, count: 1), bs: Float = 0
        let lossScalar = ScalarKernels.linearGradient(
            link: .logistic, features: x, labels: y, rows: 5, columns: 1, weights: [1], bias: 0,
            gradWeights: &gs, gradBias: &bs)
        #expect(loss.isFinite)
        #expect(abs(loss - 200.693) < 0.01)
        #expect(abs(loss - lossScalar) <= 1e-4 * lossScalar)
        #expect(abs(g[0] - gs[0]) <= 1e-4 * abs(gs[0]))
    }

    static let gemmShapes: [(Int, Int, Int)] = [
        (1, 1, 1), (1, 17, 5), (7, 1, 3), (6, 16, 1), (13, 29, 300), (97, 35, 19), (5, 2100, 3), (3, 37, 40),
        (2, 9, 21), (40, 37, 2), (4, 100, 8),
    ]

    @Test(arguments: gemmShapes)
    func gemmMatchesScalarForAllTranspositions(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        let a = TestData.floats(m * k, seed: 11), b = TestData.floats(k * n, seed: 12)
        let initial = TestData.floats(m * n, seed: 13)
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                for accumulate in [false, true] {
                    let lda = transposeA ? m : k, ldb = transposeB ? k : n
                    var c = initial, cScalar = initial
                    GEMM.sgemm(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, lda: lda,
                        b: b, ldb: ldb, c: &c, ldc: n, accumulate: accumulate)
                    ScalarKernels.sgemm(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, lda: lda,
                        b: b, ldb: ldb, c: &cScalar, ldc: n, accumulate: accumulate)
                    let tolerance = Float(k).squareRoot() * 2e-6
                    #expect(
                        TestData.maxRelativeError(c, cScalar) <= tolerance,
                        "tA \(transposeA) tB \(transposeB) acc \(accumulate)")
                }
            }
        }
    }

    @Test func gemmRespectsLeadingDimensions() {
        // A 4×3 block inside a 4×5 matrix, B 3×2 inside 3×4, C 4×2 inside 4×6.
        let a = TestData.floats(20, seed: 1), b = TestData.floats(12, seed: 2)
        var c = [Float](repeating: 9, count: 24), cScalar = c
        GEMM.sgemm(
            transposeA: false, transposeB: false, m: 4, n: 2, k: 3, a: a, lda: 5, b: b, ldb: 4,
            c: &c, ldc: 6, accumulate: false)
        ScalarKernels.sgemm(
            transposeA: false, transposeB: false, m: 4, n: 2, k: 3, a: a, lda: 5, b: b, ldb: 4,
            c: &cScalar, ldc: 6, accumulate: false)
        #expect(TestData.maxRelativeError(c, cScalar) <= 1e-6)
        #expect(c[2] == 9 && c[23] == 9)
    }

    /// The shallow path (k ≤ 8, no packing) makes exactly the packed path's bits.
    @Test(arguments: [1, 2, 5, 8])
    func shallowGEMMIsBitwiseThePackedOne(k: Int) {
        let (m, n) = (13, 45)
        let b = TestData.floats(k * n, seed: 22), initial = TestData.floats(m * n, seed: 23)
        for transposeA in [false, true] {
            let a = TestData.floats(m * k, seed: 21), lda = transposeA ? m : k
            var shallow = initial, packed = initial
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    shallow.withUnsafeMutableBufferPointer { c in
                        GEMM.shallow(transposeA, m, n, k, a.baseAddress!, lda, b.baseAddress!, n, c.baseAddress!, n)
                    }
                    packed.withUnsafeMutableBufferPointer { c in
                        GEMM.packed(
                            transposeA, false, m, n, k, a.baseAddress!, lda, b.baseAddress!, n, c.baseAddress!, n)
                    }
                }
            }
            #expect(shallow.map(\.bitPattern) == packed.map(\.bitPattern), "transposeA \(transposeA)")
        }
    }

    /// The packed path (70 × 90 × 300, Aᵀ) and the few-rows dot-product path (3 rows against Bᵀ)
    /// give the same bits for any thread count.
    @Test(arguments: [(false, 70, 90, 300), (true, 3, 700, 300)])
    func gemmIsBitwiseIdenticalAcrossThreadCounts(shape: (Bool, Int, Int, Int)) {
        let (fewRows, m, n, k) = shape
        let a = TestData.floats(m * k, seed: 1), b = TestData.floats(k * n, seed: 2)
        let (lda, ldb) = fewRows ? (k, k) : (m, n)
        func product(threads: Int) -> [UInt32] {
            var c = [Float](repeating: 0, count: m * n)
            GEMM.sgemm(
                transposeA: !fewRows, transposeB: fewRows, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                c: &c, ldc: n, accumulate: false, threads: threads)
            return c.map(\.bitPattern)
        }
        let reference = product(threads: 1)
        for threads in 2...4 { #expect(product(threads: threads) == reference, "threads \(threads)") }
    }
}
