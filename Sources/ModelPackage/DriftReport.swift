import Datasets

/// Drift of every input column in a window of rows against the training reference.
package struct DriftReport: Sendable, Codable, Equatable {
    /// Rows in the window.
    package var rows: Int
    /// One entry per input column, in the input schema's order, judged like `data validate`.
    package var columns: [ColumnDrift]

    /// Names of the columns that drifted.
    package var driftedColumns: [String] { columns.filter(\.drifted).map(\.column) }
}

extension ColumnReference {
    /// Compares raw `values` of this column (see ``binCounts(values:)`` for their meaning) with
    /// the reference: PSI over the reference bins; for numeric columns the KS test against the
    /// reference sample and the count outside the training [min, max]; for categorical columns
    /// the count of unseen levels as out of range.
    /// Complexity O(n log n) for numeric columns (the KS test), O(n) otherwise.
    package func drift(values: [Double], thresholds: ValidationThresholds = ValidationThresholds()) -> ColumnDrift {
        let counts = binCounts(values: values)
        let present = values.filter { !$0.isNaN }
        let psi = DriftStatistics.psi(reference: referenceCounts, current: counts)
        var ks: (statistic: Double, pValue: Double)?
        var outOfRange: Int64 = 0
        if kind == .numeric {
            if let lo = min, let hi = max { outOfRange = Int64(present.filter { $0 < lo || $0 > hi }.count) }
            if let sample, !sample.isEmpty {
                ks = DriftStatistics.kolmogorovSmirnov(sample, present.filter(\.isFinite))
            }
        } else {
            outOfRange = counts[counts.count - 1]
        }
        return ColumnDrift(
            column: name, kind: kind, psi: psi, ks: ks, outOfRange: outOfRange,
            present: Int64(present.count), thresholds: thresholds)
    }
}

extension ReferenceStatistics {
    /// Compares a window of encoded (untransformed) rows with the reference, column by column.
    ///
    /// `input` must come from an ``InputEncoder`` for `schema`, the input schema this reference
    /// was computed for. A categorical column's all-zero rows count as unseen levels up to
    /// `input.unseenLevels[column]`, the rest as missing.
    package func compare(
        _ input: EncodedInput, schema: InputSchema,
        thresholds: ValidationThresholds = ValidationThresholds()
    ) -> DriftReport {
        let width = schema.featureCount
        var reports: [ColumnDrift] = []
        for column in schema.columns {
            guard let reference = self.column(named: column.name) else { continue }
            var values = [Double]()
            values.reserveCapacity(input.rows)
            var unseen = input.unseenLevels[column.name] ?? 0
            for r in 0..<input.rows {
                if column.kind == .numeric {
                    values.append(Double(input.features[r * width + column.firstFeature]))
                } else if let hot = column.hotLevel(in: input.features, rowStart: r * width) {
                    values.append(Double(hot))
                } else if unseen > 0 {
                    unseen -= 1
                    values.append(-1)
                } else {
                    values.append(.nan)
                }
            }
            reports.append(reference.drift(values: values, thresholds: thresholds))
        }
        return DriftReport(rows: input.rows, columns: reports)
    }

    /// Compares rows of raw numbers in input-column order with the reference (numeric inputs
    /// only; NaN is missing). Throws what ``InputEncoder/encode(numericRows:)`` throws.
    package func compare(
        rows: [[Double]], schema: InputSchema,
        thresholds: ValidationThresholds = ValidationThresholds()
    ) throws(ModelPackageError) -> DriftReport {
        compare(try InputEncoder(schema: schema).encode(numericRows: rows), schema: schema, thresholds: thresholds)
    }
}
