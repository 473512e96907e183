import Foundation
import GradientCore
import JobConfiguration

/// The values one search dimension takes.
package enum Distribution: Equatable, Sendable {
    /// One of the listed values, uniformly.
    case choice([ParameterValue])
    /// A double uniform in [low, high].
    case uniform(low: Double, high: Double)
    /// A double whose logarithm is uniform in [log low, log high]; low > 0.
    case logUniform(low: Double, high: Double)
    /// An integer in low, low + step, … ≤ high.
    case integer(low: Int, high: Int, step: Int)
    /// A double uniform in [low, high] rounded to a multiple of q (kept within the bounds).
    case quantized(low: Double, high: Double, q: Double)

    /// Draws one value.
    package func sample(_ rng: inout Philox) -> ParameterValue {
        switch self {
        case .choice(let values):
            return values[rng.nextInt(below: values.count)]
        case .uniform(let low, let high):
            return .double(low + (high - low) * rng.nextDouble())
        case .logUniform(let low, let high):
            return .double(exp(log(low) + (log(high) - log(low)) * rng.nextDouble()))
        case .integer(let low, let high, let step):
            return .int(low + step * rng.nextInt(below: (high - low) / step + 1))
        case .quantized(let low, let high, let q):
            let raw = low + (high - low) * rng.nextDouble()
            return .double(min(max((raw / q).rounded() * q, low), high))
        }
    }

    /// Every value, for grid search; nil for continuous distributions.
    package var gridValues: [ParameterValue]? {
        switch self {
        case .choice(let values): return values
        case .integer(let low, let high, let step):
            return stride(from: low, through: high, by: step).map(ParameterValue.int)
        case .quantized(let low, let high, let q):
            let count = Int(((high - low) / q).rounded(.down))
            return (0...count).map { .double(low + Double($0) * q) }
        case .uniform, .logUniform: return nil
        }
    }
}

extension Distribution {
    /// Parses `{choice: [...]}`, `{uniform: [low, high]}`, `{loguniform: [low, high]}`,
    /// `{int: [low, high], step: s}` or `{quniform: [low, high, q]}`.
    /// - Throws: ``SweepSpecError`` naming `key` for an unknown kind, an empty choice,
    ///   low > high, a non-positive log bound or a non-positive step.
    package init(parsing value: ConfigValue, key: String) throws {
        guard case .map(let entries) = value, let first = entries.first else {
            throw SweepSpecError(
                key: key,
                "expected a mapping such as {choice: [...]}, {uniform: [low, high]}, "
                    + "{loguniform: [low, high]}, {int: [low, high]} or {quniform: [low, high, q]}; found \(value.typeDescription)"
            )
        }
        let kind = first.key
        let extra = entries.dropFirst().map(\.key)
        let allowedExtra: Set<String> = kind == "int" ? ["step"] : []
        if let unknown = extra.first(where: { !allowedExtra.contains($0) }) {
            throw SweepSpecError(key: "\(key).\(unknown)", "unknown key for a \(kind) dimension")
        }
        switch kind {
        case "choice":
            guard case .list(let items) = first.value else {
                throw SweepSpecError(key: key, "choice expects a list of values, found \(first.value.typeDescription)")
            }
            guard !items.isEmpty else {
                throw SweepSpecError(key: key, "choice needs at least one value (the list is empty)")
            }
            self = .choice(try items.map { try ParameterValue($0, key: key) })
        case "uniform", "loguniform":
            let (low, high) = try Self.bounds(first.value, key: key, kind: kind)
            if kind == "loguniform" {
                guard low > 0 else {
                    throw SweepSpecError(
                        key: key, "loguniform needs bounds > 0 (the log of \(ParameterValue.short(low)) is undefined)")
                }
                self = .logUniform(low: low, high: high)
            } else {
                self = .uniform(low: low, high: high)
            }
        case "int":
            let numbers = try Self.numbers(first.value, key: key, kind: kind, count: 2)
            guard numbers.allSatisfy({ $0 == $0.rounded() }) else {
                throw SweepSpecError(
                    key: key,
                    "int expects whole-number bounds, found [\(numbers.map { ParameterValue.short($0) }.joined(separator: ", "))]"
                )
            }
            let (low, high) = (Int(numbers[0]), Int(numbers[1]))
            guard low <= high else { throw SweepSpecError(key: key, "low \(low) is greater than high \(high)") }
            var step = 1
            if let stepValue = entries.first(where: { $0.key == "step" })?.value {
                guard case .int(let s) = stepValue, s > 0 else {
                    throw SweepSpecError(
                        key: "\(key).step", "expected a positive integer, found \(stepValue.typeDescription)")
                }
                step = s
            }
            self = .integer(low: low, high: high, step: step)
        case "quniform":
            let numbers = try Self.numbers(first.value, key: key, kind: kind, count: 3)
            guard numbers[0] <= numbers[1] else {
                throw SweepSpecError(
                    key: key,
                    "low \(ParameterValue.short(numbers[0])) is greater than high \(ParameterValue.short(numbers[1]))")
            }
            guard numbers[2] > 0 else { throw SweepSpecError(key: key, "quniform needs a step q > 0") }
            self = .quantized(low: numbers[0], high: numbers[1], q: numbers[2])
        default:
            throw SweepSpecError(
                key: key, "unknown distribution '\(kind)' (expected choice, uniform, loguniform, int or quniform)")
        }
    }

    private static func bounds(_ value: ConfigValue, key: String, kind: String) throws -> (Double, Double) {
        let numbers = try numbers(value, key: key, kind: kind, count: 2)
        guard numbers[0] <= numbers[1] else {
            throw SweepSpecError(
                key: key,
                "low \(ParameterValue.short(numbers[0])) is greater than high \(ParameterValue.short(numbers[1]))")
        }
        return (numbers[0], numbers[1])
    }

    private static func numbers(_ value: ConfigValue, key: String, kind: String, count: Int) throws -> [Double] {
        let shape = count == 2 ? "[low, high]" : "[low, high, q]"
        guard case .list(let items) = value, items.count == count else {
            throw SweepSpecError(key: key, "\(kind) expects \(shape), found \(value.typeDescription)")
        }
        return try items.map { item in
            switch item {
            case .int(let i): return Double(i)
            case .double(let d) where d.isFinite: return d
            default: throw SweepSpecError(key: key, "\(kind) expects numbers \(shape), found \(item.typeDescription)")
            }
        }
    }
}
