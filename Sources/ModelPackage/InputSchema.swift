import Datasets

/// One raw input column of a model and the features it becomes.
package struct InputColumn: Sendable, Codable, Equatable {
    package var name: String
    package var kind: ColumnKind
    /// Categorical only: the levels in sorted order; level `i` is feature `firstFeature + i`.
    package var levels: [String]?
    /// Index of the column's first feature in a model row.
    package var firstFeature: Int
    /// Features the column occupies: 1 for numeric, `levels.count` for categorical.
    package var featureCount: Int

    package init(name: String, kind: ColumnKind, levels: [String]? = nil, firstFeature: Int, featureCount: Int) {
        self.name = name
        self.kind = kind
        self.levels = levels
        self.firstFeature = firstFeature
        self.featureCount = featureCount
    }

    /// Categorical only: the index of the level that is hot in the row starting at `rowStart`
    /// of `features`, or nil when all of its features are zero (missing or unseen).
    func hotLevel(in features: [Float], rowStart: Int) -> Int? {
        (0..<featureCount).first { features[rowStart + firstFeature + $0] != 0 }
    }

    private enum CodingKeys: String, CodingKey {
        case name, kind, levels
        case firstFeature = "first_feature"
        case featureCount = "feature_count"
    }
}

/// What a model reads: its raw input columns in feature order, and the feature names.
///
/// Numeric columns are one feature (missing = NaN); categorical columns are one-hot over their
/// levels (missing or unseen = all zeros), as at import.
package struct InputSchema: Sendable, Codable, Equatable {
    /// Input columns in feature order (the label excluded).
    package var columns: [InputColumn]
    /// Feature names in row order: `name` for numeric columns, `name=level` for one-hot ones.
    package var featureNames: [String]

    package init(columns: [InputColumn], featureNames: [String]) {
        self.columns = columns
        self.featureNames = featureNames
    }

    /// The input of a model trained on a dataset with `schema`: its feature columns.
    package init(schema: DatasetSchema) {
        let columns = schema.featureColumns.compactMap { column in
            column.firstFeature.map {
                InputColumn(
                    name: column.name, kind: column.kind, levels: column.levels, firstFeature: $0,
                    featureCount: column.featureCount)
            }
        }
        self.init(columns: columns.sorted { $0.firstFeature < $1.firstFeature }, featureNames: schema.features)
    }

    /// Number of Float32 features per row.
    package var featureCount: Int { featureNames.count }

    /// The column named `name`.
    package func column(named name: String) -> InputColumn? { columns.first { $0.name == name } }

    /// Throws ``ModelPackageError/inconsistentManifest(field:detail:)`` unless the columns tile
    /// `0..<featureCount` in order and each categorical column has one feature per level.
    package func validate() throws(ModelPackageError) {
        var next = 0
        for (i, column) in columns.enumerated() {
            let field = "input.columns[\(i)] (\"\(column.name)\")"
            guard column.firstFeature == next else {
                throw .inconsistentManifest(
                    field: field + ".first_feature",
                    detail: "is \(column.firstFeature), expected \(next)")
            }
            let expected = column.kind == .numeric ? 1 : column.levels?.count ?? 0
            guard column.featureCount == expected, expected > 0 else {
                throw .inconsistentManifest(
                    field: field + ".feature_count",
                    detail: "is \(column.featureCount), "
                        + "expected \(column.kind == .numeric ? "1 for a numeric column" : "one per level (\(expected))")"
                )
            }
            next += column.featureCount
        }
        guard next == featureCount else {
            throw .inconsistentManifest(
                field: "input.feature_names",
                detail: "has \(featureCount) names, the columns cover \(next) features")
        }
    }

    private enum CodingKeys: String, CodingKey {
        case columns
        case featureNames = "feature_names"
        case featureCount = "feature_count"
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        columns = try container.decode([InputColumn].self, forKey: .columns)
        featureNames = try container.decode([String].self, forKey: .featureNames)
        let count = try container.decode(Int.self, forKey: .featureCount)
        guard count == featureNames.count else {
            throw ModelPackageError.inconsistentManifest(
                field: "input.feature_count", detail: "is \(count), but feature_names has \(featureNames.count) names")
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(columns, forKey: .columns)
        try container.encode(featureNames, forKey: .featureNames)
        try container.encode(featureCount, forKey: .featureCount)
    }
}
