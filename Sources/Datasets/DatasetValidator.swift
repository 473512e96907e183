import Foundation

/// Thresholds for `data validate`.
package struct ValidationThresholds: Sendable, Codable, Equatable {
    /// PSI at or above this is a moderate shift.
    package var psiModerate = 0.1
    /// PSI at or above this is a significant shift: the column drifted.
    package var psiSignificant = 0.25
    /// KS p-value at or below this, with at least a moderate PSI, also marks drift.
    package var ksAlpha = 0.05
    /// A column fails when more than this share of its values lie outside the reference range.
    package var outOfRangeShare = 0.01
    package init() {}
}

/// Drift and range findings for one column.
package struct ColumnDrift: Sendable, Codable, Equatable {
    package var column: String
    package var kind: ColumnKind
    package var psi: Double
    /// "stable", "moderate" or "significant".
    package var psiLevel: String
    package var ksStatistic: Double?
    package var ksPValue: Double?
    /// Numeric: values outside [reference min, reference max]. Categorical: unseen levels.
    package var outOfRange: Int64
    package var drifted: Bool
    package var rangeFailed: Bool
}

extension ColumnDrift {
    /// Judges one column under `thresholds`, the rule `data validate` and serving-time drift
    /// checks share: drifted when the PSI is significant, or when the KS p-value is at or below
    /// alpha with at least a moderate PSI; the range fails when more than `outOfRangeShare` of
    /// the `present` (non-missing) values lie outside the reference.
    package init(
        column: String, kind: ColumnKind, psi: Double, ks: (statistic: Double, pValue: Double)?,
        outOfRange: Int64, present: Int64, thresholds: ValidationThresholds
    ) {
        let level =
            psi >= thresholds.psiSignificant ? "significant" : psi >= thresholds.psiModerate ? "moderate" : "stable"
        let ksDrift = ks.map { $0.pValue <= thresholds.ksAlpha && psi >= thresholds.psiModerate } ?? false
        let share = present == 0 ? 0 : Double(outOfRange) / Double(present)
        self.init(
            column: column, kind: kind, psi: psi, psiLevel: level, ksStatistic: ks?.statistic,
            ksPValue: ks?.pValue, outOfRange: outOfRange, drifted: psi >= thresholds.psiSignificant || ksDrift,
            rangeFailed: share > thresholds.outOfRangeShare)
    }
}

/// The result of validating a file against a stored version.
package struct ValidationReport: Sendable, Codable, Equatable {
    package var file: String
    package var referenceDigest: String
    package var rows: Int64
    /// Missing columns, unexpected columns, and type changes.
    package var schemaProblems: [String]
    package var columns: [ColumnDrift]
    /// Share of compared columns that drifted.
    package var driftedShare: Double
    /// False when there is a schema problem, a drifted column, or a range failure.
    package var passed: Bool
}

/// Checks a new file against a stored version: schema, reference range, PSI and KS per column.
package enum DatasetValidator {
    /// Reads `url` like an import (same parser, the reference's column types) and compares it.
    ///
    /// Throws ``DatasetError`` when the file is unreadable (with file, line and column);
    /// validation failures are reported in the result, not thrown. Scratch files go to a
    /// temporary directory under `scratch` and are removed.
    package static func validate(
        file url: URL, format: SourceFormat? = nil, options: ImportOptions = ImportOptions(),
        against reference: DatasetVersion, thresholds: ValidationThresholds = ValidationThresholds(),
        scratch: URL
    ) throws -> ValidationReport {
        let fm = FileManager.default
        let dir = scratch.appendingPathComponent(".validate-\(UUID().uuidString)", isDirectory: true)
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        let refSchema = reference.schema
        var problems: [String] = []
        let builder: RawTableBuilder
        let resolved = format ?? SourceFormat.infer(from: url)
        switch resolved {
        case .csv:
            var csvOptions = options
            csvOptions.categorical.formUnion(refSchema.columns.filter { $0.kind == .categorical }.map(\.name))
            let reader = CSVReader(url: url, options: csvOptions)
            let (names, kinds) = try reader.inferColumns()
            for column in refSchema.columns where !names.contains(column.name) {
                problems.append("column \"\(column.name)\" is missing")
            }
            for name in names where refSchema.column(named: name) == nil {
                problems.append("unexpected column \"\(name)\"")
            }
            for (name, kind) in zip(names, kinds) {
                if let ref = refSchema.column(named: name), ref.kind == .numeric, kind == .categorical {
                    problems.append("column \"\(name)\" was numeric and now holds text")
                }
            }
            let labelIndex = refSchema.label.flatMap { names.firstIndex(of: $0.column) }
            builder = try RawTableBuilder(
                columns: zip(names, kinds).map { RawColumn(name: $0, kind: $1) },
                labelIndex: labelIndex, spillPath: dir.appendingPathComponent("rows.spill").path)
            for (c, name) in names.enumerated() {
                for level in refSchema.column(named: name)?.levels ?? [] { builder.levelTables[c].insert(level) }
            }
            try reader.read(into: builder)
        case .libsvm:
            builder = try LIBSVMReader(url: url, options: options).read(spillDirectory: dir)
        case .npy:
            builder = try NPYReader(url: url, options: options).read(spillDirectory: dir)
        case .generated:
            throw DatasetError.invalidRequest("\(url.path): \"generated\" is not a file format")
        }
        try builder.finish()
        if resolved != .csv, builder.columns.count != refSchema.columns.count {
            problems.append("\(builder.columns.count) columns, the reference has \(refSchema.columns.count)")
        }
        let drifts = try compare(builder: builder, reference: reference, thresholds: thresholds)
        let drifted = drifts.filter(\.drifted).count
        let share = drifts.isEmpty ? 0 : Double(drifted) / Double(drifts.count)
        return ValidationReport(
            file: url.path, referenceDigest: reference.digest, rows: builder.rows,
            schemaProblems: problems, columns: drifts, driftedShare: share,
            passed: problems.isEmpty && drifted == 0 && !drifts.contains { $0.rangeFailed })
    }

    private static func compare(
        builder: RawTableBuilder, reference: DatasetVersion,
        thresholds: ValidationThresholds
    ) throws -> [ColumnDrift] {
        let width = builder.width
        let refSchema = reference.schema
        // Bins of the current data under the reference's histograms.
        struct Plan { var column: Int; var ref: ColumnStatistics; var schema: ColumnSchema }
        var plans: [Plan] = []
        for (c, column) in builder.columns.enumerated() {
            guard let ref = reference.statistics.column(named: column.name),
                let schema = refSchema.column(named: column.name),
                schema.kind == column.kind || schema.kind == .categorical
            else { continue }
            plans.append(Plan(column: c, ref: ref, schema: schema))
        }
        var counts = plans.map {
            [Int64](repeating: 0, count: $0.ref.histogram.counts.count + ($0.schema.kind == .categorical ? 1 : 0))
        }
        var outside = [Int64](repeating: 0, count: plans.count)
        var present = [Int64](repeating: 0, count: plans.count)
        let spill = try FileReader(path: builder.spillPath)
        let chunkRows = max(1, (1 << 20) / max(1, width))
        var buffer = [Float](repeating: 0, count: chunkRows * width)
        var r: Int64 = 0
        while r < builder.rows {
            let n = Int(min(Int64(chunkRows), builder.rows - r))
            try buffer.withUnsafeMutableBytes {
                try spill.readExactly(into: $0.baseAddress!, count: n * width * 4, offset: r * Int64(width) * 4)
            }
            for (p, plan) in plans.enumerated() {
                let levelMap =
                    plan.schema.kind == .categorical ? levelIndexMap(builder: builder, plan.column, plan.schema) : []
                for k in 0..<n {
                    let v = buffer[k * width + plan.column]
                    guard !v.isNaN else { continue }
                    present[p] += 1
                    if plan.schema.kind == .categorical {
                        let index = levelMap[Int(v)]
                        if index < 0 {
                            outside[p] += 1; counts[p][counts[p].count - 1] += 1
                        } else {
                            counts[p][index] += 1
                        }
                    } else {
                        let d = Double(v)
                        if let lo = plan.ref.min, let hi = plan.ref.max, d < lo || d > hi { outside[p] += 1 }
                        counts[p][plan.ref.histogram.bin(of: d)] += 1
                    }
                }
            }
            r += Int64(n)
        }
        return plans.enumerated().map { p, plan in
            var refCounts = plan.ref.histogram.counts
            if plan.schema.kind == .categorical { refCounts.append(0) }
            let psi = DriftStatistics.psi(reference: refCounts, current: counts[p])
            var ks: (statistic: Double, pValue: Double)?
            let isClassLabel = plan.schema.firstFeature == nil && reference.schema.label?.task == .classification
            if plan.schema.kind == .numeric, !isClassLabel {
                let current = builder.sampledValues(plan.column).filter(\.isFinite).map(Double.init)
                ks = DriftStatistics.kolmogorovSmirnov(referenceSample(reference, plan.schema), current)
            }
            return ColumnDrift(
                column: plan.schema.name, kind: plan.schema.kind, psi: psi, ks: ks, outOfRange: outside[p],
                present: present[p], thresholds: thresholds)
        }
    }

    /// Maps the builder's level ids of column `c` to the reference level indices (−1 unseen).
    private static func levelIndexMap(builder: RawTableBuilder, _ c: Int, _ schema: ColumnSchema) -> [Int] {
        let refLevels = Dictionary(uniqueKeysWithValues: (schema.levels ?? []).enumerated().map { ($1, $0) })
        return builder.levelTables[c].texts.map { refLevels[$0] ?? -1 }
    }

    /// Up to 65,536 finite reference values of a numeric column (a deterministic subsample).
    static func referenceSample(_ version: DatasetVersion, _ column: ColumnSchema) -> [Double] {
        let values = column.firstFeature.map { version.featureColumn($0) } ?? version.labels()
        var finite = values.filter(\.isFinite).map(Double.init)
        let limit = 65_536
        if finite.count > limit {
            var rng = SplitMix64(seed: 0x4B53_5341_4D50)
            for i in 0..<limit {
                let j = i + Int(rng.nextBelow(UInt64(finite.count - i)))
                finite.swapAt(i, j)
            }
            finite.removeLast(finite.count - limit)
        }
        return finite
    }
}
