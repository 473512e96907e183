import Foundation

/// Distribution-shift measures between a reference and a current sample.
package enum DriftStatistics {
    /// Share below which a bin is floored so the logarithm stays finite.
    package static let psiFloor = 1e-4

    /// Population stability index Σ (ref% − cur%) · ln(ref% / cur%) over matching bins, with
    /// empty bins floored at ``psiFloor``. Both arrays must have the same count; an all-zero
    /// side gives 0. Common reading: < 0.1 stable, 0.1–0.25 moderate, ≥ 0.25 significant.
    package static func psi(reference: [Int64], current: [Int64]) -> Double {
        precondition(reference.count == current.count, "PSI needs matching bins")
        let rt = Double(reference.reduce(0, +))
        let ct = Double(current.reduce(0, +))
        guard rt > 0, ct > 0 else { return 0 }
        var total = 0.0
        for (r, c) in zip(reference, current) {
            let p = max(Double(r) / rt, psiFloor)
            let q = max(Double(c) / ct, psiFloor)
            total += (p - q) * log(p / q)
        }
        return total
    }

    /// Two-sample Kolmogorov–Smirnov test (two-sided).
    ///
    /// The statistic equals `scipy.stats.ks_2samp`'s; the p-value uses the Kolmogorov limiting
    /// distribution with Stephens' small-sample correction, λ = (√nₑ + 0.12 + 0.11/√nₑ)·D with
    /// nₑ = n·m/(n+m) (Numerical Recipes §14.3), which tracks scipy's `kstwo` p-values within a
    /// few percent. NaNs are ignored. Complexity O((n+m) log(n+m)).
    package static func kolmogorovSmirnov(_ a: [Double], _ b: [Double]) -> (statistic: Double, pValue: Double) {
        let x = a.filter { !$0.isNaN }.sorted()
        let y = b.filter { !$0.isNaN }.sorted()
        guard !x.isEmpty, !y.isEmpty else { return (0, 1) }
        let n = Double(x.count), m = Double(y.count)
        var i = 0, j = 0
        var d = 0.0
        while i < x.count, j < y.count {
            let v = min(x[i], y[j])
            while i < x.count, x[i] == v { i += 1 }
            while j < y.count, y[j] == v { j += 1 }
            d = max(d, abs(Double(i) / n - Double(j) / m))
        }
        let en = (n * m / (n + m)).squareRoot()
        return (d, kolmogorovQ((en + 0.12 + 0.11 / en) * d))
    }

    /// Q_KS(λ) = 2 Σ (−1)^(j−1) exp(−2 j² λ²), the Kolmogorov survival function.
    package static func kolmogorovQ(_ lambda: Double) -> Double {
        if lambda <= 0 { return 1 }
        if lambda < 1.18 {
            let y = exp(-1.233700550136169827 / (lambda * lambda))  // π²/8
            let s = y + pow(y, 9) + pow(y, 25) + pow(y, 49)
            return min(1, max(0, 1 - 2.506628274631000502 / lambda * s))  // √(2π)
        }
        let x = exp(-2 * lambda * lambda)
        let s = x - pow(x, 4) + pow(x, 9) - pow(x, 16)
        return min(1, max(0, 2 * s))
    }
}
