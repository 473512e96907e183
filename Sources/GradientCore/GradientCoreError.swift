/// Errors thrown by GradientCore: bad shapes, bad labels, non-finite values, bad configuration.
package enum GradientCoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A buffer's shape does not match what the model or kernel expects.
    case shapeMismatch(what: String, expected: [Int], actual: [Int])
    /// A label is not valid for the model (e.g. a class index outside `0..<classes`).
    case invalidLabel(row: Int, value: Float, expected: String)
    /// A loss or gradient became NaN or infinite.
    case nonFinite(what: String, index: Int)
    /// A model spec, optimizer or schedule setting is out of range.
    case invalidConfiguration(String)

    package var description: String {
        switch self {
        case let .shapeMismatch(what, expected, actual):
            return "shape mismatch for \(what): expected \(expected), got \(actual)"
        case let .invalidLabel(row, value, expected):
            return "invalid label \(value) at row \(row): expected \(expected)"
        case let .nonFinite(what, index):
            return "non-finite value in \(what) at index \(index)"
        case let .invalidConfiguration(message):
            return "invalid configuration: \(message)"
        }
    }
}

/// Throws ``GradientCoreError/shapeMismatch(what:expected:actual:)`` unless the shapes agree.

func requireShape(_ what: String, expected: [Int], actual: [Int]) throws(GradientCoreError) {
    if expected != actual {
        throw .shapeMismatch(what: what, expected: expected, actual: actual)
    }
}

/// Throws ``GradientCoreError/nonFinite(what:index:)`` at the first NaN or infinity in `values`.
func requireFinite(_ what: String, _ values: UnsafeBufferPointer<Float>) throws(GradientCoreError) {
    if let index = VectorMath.firstNonFinite(values) { throw .nonFinite(what: what, index: index) }
}
