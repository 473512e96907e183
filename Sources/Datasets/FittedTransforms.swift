import Foundation

/// A transform to fit on the training split.
package enum TransformSpec: Sendable, Codable, Equatable {
    /// (x − mean) / std; a zero std leaves the centred value.
    case standardize
    /// (x − min) / (max − min); a zero range leaves the shifted value.
    case minMax
    /// Replace missing (NaN) values by the mean, the median, or a constant.
    case imputeMean
    case imputeMedian
    case imputeConstant(Float)

    /// Parses the config spelling: `standardize`, `minmax`, `impute_mean`, `impute_median`,
    /// `impute_constant=VALUE`. Throws ``DatasetError/invalidRequest(_:)`` naming the text.
    package init(parsing text: String) throws {
        switch text.lowercased() {
        case "standardize", "standardise": self = .standardize
        case "minmax", "min_max", "min-max": self = .minMax
        case "impute_mean", "impute": self = .imputeMean
        case "impute_median": self = .imputeMedian
        default:
            if text.lowercased().hasPrefix("impute_constant="), let v = Float(text.split(separator: "=")[1]) {
                self = .imputeConstant(v)
            } else {
                throw DatasetError.invalidRequest(
                    "unknown transform \"\(text)\"; expected standardize, minmax, "
                        + "impute_mean, impute_median or impute_constant=VALUE")
            }
        }
    }
}

/// One fitted step: per feature, `x' = (x − offset) · scale`, or for imputation NaN → `fill`.
package struct FittedStep: Sendable, Codable, Equatable {
    package var transform: TransformSpec
    package var offset: [Float]?
    package var scale: [Float]?
    package var fill: [Float]?
}

/// Transforms fitted on training rows, serialised as JSON and applied identically at training
/// and serving time. One-hot features (from categorical columns) are passed through unscaled.
package struct FittedTransforms: Sendable, Codable, Equatable {
    package var featureCount: Int
    package var steps: [FittedStep]

    /// Fits `specs` in order on the rows of `features` (row-major, `featureCount` per row); each
    /// step sees the output of the previous ones. `passThrough` marks features left untouched
    /// by scaling (one-hot). Memory O(rows) per feature for medians. Complexity O(steps·rows·F).
    package static func fit(
        _ specs: [TransformSpec], features: [Float], featureCount: Int,
        passThrough: Set<Int> = []
    ) -> FittedTransforms {
        let rows = featureCount == 0 ? 0 : features.count / featureCount
        var data = features
        var fitted = FittedTransforms(featureCount: featureCount, steps: [])
        for spec in specs {
            var step = FittedStep(transform: spec)
            switch spec {
            case .standardize, .minMax:
                var offset = [Float](repeating: 0, count: featureCount)
                var scale = [Float](repeating: 1, count: featureCount)
                for f in 0..<featureCount where !passThrough.contains(f) {
                    var n = 0.0, sum = 0.0, sumSq = 0.0, lo = Double.infinity, hi = -Double.infinity
                    for r in 0..<rows {
                        let v = Double(data[r * featureCount + f])
                        guard v.isFinite else { continue }
                        n += 1; sum += v; sumSq += v * v; lo = Swift.min(lo, v); hi = Swift.max(hi, v)
                    }
                    guard n > 0 else { continue }
                    if spec == .standardize {
                        let mean = sum / n
                        let std = Swift.max(0, sumSq / n - mean * mean).squareRoot()
                        offset[f] = Float(mean)
                        scale[f] = std > 0 ? Float(1 / std) : 1
                    } else {
                        offset[f] = Float(lo)
                        scale[f] = hi > lo ? Float(1 / (hi - lo)) : 1
                    }
                }
                step.offset = offset
                step.scale = scale
            case .imputeMean, .imputeMedian, .imputeConstant:
                var fill = [Float](repeating: 0, count: featureCount)
                for f in 0..<featureCount {
                    if case .imputeConstant(let c) = spec { fill[f] = c; continue }
                    var values: [Float] = []
                    for r in 0..<rows where data[r * featureCount + f].isFinite {
                        values.append(data[r * featureCount + f])
                    }
                    guard !values.isEmpty else { continue }
                    if spec == .imputeMean {
                        fill[f] = Float(values.reduce(0.0) { $0 + Double($1) } / Double(values.count))
                    } else {
                        values.sort()
                        let m = values.count / 2
                        fill[f] =
                            values.count % 2 == 1 ? values[m] : Float((Double(values[m - 1]) + Double(values[m])) / 2)
                    }
                }
                step.fill = fill
            }
            data.withUnsafeMutableBufferPointer {
                FittedTransforms(featureCount: featureCount, steps: [step]).apply(rows: $0)
            }
            fitted.steps.append(step)
        }
        return fitted
    }

    /// Fits on the rows `rows` of a stored version, passing one-hot features through.
    package static func fit(_ specs: [TransformSpec], version: DatasetVersion, rows: [Int]) -> FittedTransforms {
        let f = version.featureCount
        var features = [Float](repeating: 0, count: rows.count * f)
        var labels = [Float](repeating: 0, count: rows.count)
        features.withUnsafeMutableBufferPointer { fp in
            labels.withUnsafeMutableBufferPointer { lp in
                if !rows.isEmpty { version.gatherRows(rows, features: fp.baseAddress!, labels: lp.baseAddress!) }
            }
        }
        var oneHot = Set<Int>()
        for column in version.schema.featureColumns where column.kind == .categorical {
            if let first = column.firstFeature { oneHot.formUnion(first..<(first + column.featureCount)) }
        }
        return fit(specs, features: features, featureCount: f, passThrough: oneHot)
    }

    /// Transforms one row in place. Precondition: `row.count == featureCount`.
    package func apply(row: inout [Float]) {
        row.withUnsafeMutableBufferPointer { apply(rows: $0) }
    }

    /// Transforms rows (row-major, `featureCount` per row) in place.
    package func apply(rows: UnsafeMutableBufferPointer<Float>) {
        precondition(
            featureCount == 0 || rows.count % featureCount == 0,
            "\(rows.count) values is not a whole number of rows of \(featureCount) features")
        guard featureCount > 0 else { return }
        let n = rows.count / featureCount
        for step in steps {
            if let fill = step.fill {
                for r in 0..<n {
                    for f in 0..<featureCount where rows[r * featureCount + f].isNaN {
                        rows[r * featureCount + f] = fill[f]
                    }
                }
            } else if let offset = step.offset, let scale = step.scale {
                for r in 0..<n {
                    for f in 0..<featureCount {
                        rows[r * featureCount + f] = (rows[r * featureCount + f] - offset[f]) * scale[f]
                    }
                }
            }
        }
    }

    /// JSON (sorted keys) for packages and checkpoints.
    package func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    /// Decodes ``jsonData()``; throws ``DatasetError/invalidRequest(_:)`` when malformed or inconsistent.
    package init(json: Data) throws {
        do { self = try JSONDecoder().decode(FittedTransforms.self, from: json) } catch {
            throw DatasetError.invalidRequest("fitted transforms JSON is invalid: \(error)")
        }
        for step in steps {
            for array in [step.offset, step.scale, step.fill] {
                if let array, array.count != featureCount {
                    throw DatasetError.invalidRequest(
                        "fitted transforms JSON: a step has \(array.count) values "
                            + "for \(featureCount) features")
                }
            }
        }
    }

    init(featureCount: Int, steps: [FittedStep]) {
        self.featureCount = featureCount
        self.steps = steps
    }
}

extension FittedStep {
    init(transform: TransformSpec) { self.init(transform: transform, offset: nil, scale: nil, fill: nil) }
}
