import Foundation

/// The learning task a labelled dataset is for.
package enum TaskKind: String, Sendable, Codable, Equatable {
    case classification, regression
}

/// What a source column holds.
package enum ColumnKind: String, Sendable, Codable, Equatable {
    /// Numbers, stored as one Float32 feature (missing values are NaN).
    case numeric
    /// Text values, one-hot encoded into one feature per level at import.
    case categorical
}

/// One source column of a dataset (the label column included).
package struct ColumnSchema: Sendable, Codable, Equatable {
    package var name: String
    package var kind: ColumnKind
    /// Categorical only: the levels in sorted (byte-wise) order; level `i` is feature
    /// `firstFeature + i`. A missing value encodes as all zeros.
    package var levels: [String]?
    /// Index of this column's first feature in a row (nil for the label column).
    package var firstFeature: Int?
    /// Number of features this column occupies (1 for numeric, `levels.count` for categorical).
    package var featureCount: Int

    package init(name: String, kind: ColumnKind, levels: [String]? = nil, firstFeature: Int?, featureCount: Int) {
        self.name = name
        self.kind = kind
        self.levels = levels
        self.firstFeature = firstFeature
        self.featureCount = featureCount
    }
}

/// The label of a dataset: its column, the task, and for classification the class names, whose
/// index is the stored label value (class names of a text label in sorted order; of a numeric
/// label in numeric order).
package struct LabelSchema: Sendable, Codable, Equatable {
    package var column: String
    package var task: TaskKind
    package var classNames: [String]?

    package init(column: String, task: TaskKind, classNames: [String]?) {
        self.column = column
        self.task = task
        self.classNames = classNames
    }
}

/// `schema.json`: the columns, their encoding into Float32 features, and the label.
package struct DatasetSchema: Sendable, Codable, Equatable {
    /// Source columns in file order, the label column included.
    package var columns: [ColumnSchema]
    /// The feature names in row order (`name` for numeric columns, `name=level` for one-hot).
    package var features: [String]
    /// The label, or nil for an unlabelled dataset (stored labels are then NaN).
    package var label: LabelSchema?

    package init(columns: [ColumnSchema], features: [String], label: LabelSchema?) {
        self.columns = columns
        self.features = features
        self.label = label
    }

    /// Number of Float32 features per row.
    package var featureCount: Int { features.count }

    /// The feature columns (label excluded).
    package var featureColumns: [ColumnSchema] { columns.filter { $0.firstFeature != nil } }

    /// The column named `name`.
    package func column(named name: String) -> ColumnSchema? { columns.first { $0.name == name } }

    /// Canonical JSON (sorted keys, no whitespace): the bytes that enter the digest.
    package func canonicalJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
