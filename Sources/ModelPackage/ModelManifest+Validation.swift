import Datasets
import GradientCore

extension ModelManifest {
    /// Throws unless every field agrees with the others: the format, the architecture's
    /// parameter count and input width, the input schema's tiling, the task and class names,
    /// the transforms' width, and the reference's columns and bins.
    /// - Throws: ``ModelPackageError/unsupportedFormat(found:)`` or
    ///   ``ModelPackageError/inconsistentManifest(field:detail:)`` naming the first bad field.
    package func validate() throws(ModelPackageError) {
        guard format == Self.formatIdentifier else { throw .unsupportedFormat(found: format) }
        do { try architecture.validate() } catch {
            throw .inconsistentManifest(field: "architecture", detail: error.description)
        }
        let layoutCount = architecture.layout().count
        guard parameterCount == layoutCount else {
            throw .inconsistentManifest(
                field: "parameter_count",
                detail: "is \(parameterCount), the architecture has \(layoutCount) parameters")
        }
        try input.validate()
        guard input.featureCount == architecture.inputs else {
            throw .inconsistentManifest(
                field: "input.feature_count",
                detail: "is \(input.featureCount), "
                    + "the architecture takes \(architecture.inputs) inputs")
        }
        try validateTask()
        if let transforms { try validate(transforms) }
        try validateReference()
    }

    private func validateTask() throws(ModelPackageError) {
        let expected: TaskKind = architecture.isClassifier ? .classification : .regression
        guard task == expected else {
            throw .inconsistentManifest(
                field: "task",
                detail: "is \(task.rawValue), "
                    + "a \(architecture.kind.rawValue) model does \(expected.rawValue)")
        }
        guard let classCount = architecture.classCount else {
            guard labels == nil else {
                throw .inconsistentManifest(field: "labels", detail: "a regression model has no labels")
            }
            return
        }
        guard let labels, labels.count == classCount else {
            throw .inconsistentManifest(
                field: "labels",
                detail: "has \(labels?.count ?? 0) class names, "
                    + "the model has \(classCount) classes")
        }
        guard Set(labels).count == labels.count else {
            throw .inconsistentManifest(field: "labels", detail: "class names must be distinct, got \(labels)")
        }
    }

    private func validate(_ transforms: FittedTransforms) throws(ModelPackageError) {
        guard transforms.featureCount == input.featureCount else {
            throw .inconsistentManifest(
                field: "transforms.featureCount",
                detail: "is \(transforms.featureCount), "
                    + "the input has \(input.featureCount) features")
        }
        for (i, step) in transforms.steps.enumerated() {
            for (name, values) in [("offset", step.offset), ("scale", step.scale), ("fill", step.fill)] {
                if let values, values.count != transforms.featureCount {
                    throw .inconsistentManifest(
                        field: "transforms.steps[\(i)].\(name)",
                        detail: "has \(values.count) values for \(transforms.featureCount) features")
                }
            }
        }
    }

    private func validateReference() throws(ModelPackageError) {
        guard reference.columns.map(\.name) == input.columns.map(\.name) else {
            throw .inconsistentManifest(
                field: "reference.columns",
                detail: "are \(reference.columns.map(\.name)), "
                    + "the input columns are \(input.columns.map(\.name))")
        }
        for (i, (column, inputColumn)) in zip(reference.columns, input.columns).enumerated() {
            let field = "reference.columns[\(i)] (\"\(column.name)\")"
            guard column.kind == inputColumn.kind else {
                throw .inconsistentManifest(
                    field: field + ".kind",
                    detail: "is \(column.kind.rawValue), the input column is \(inputColumn.kind.rawValue)")
            }
            let histogram = column.histogram
            let bins =
                column.kind == .categorical ? inputColumn.featureCount : max(1, (histogram.edges?.count ?? 0) - 1)
            guard histogram.counts.count == bins else {
                throw .inconsistentManifest(
                    field: field + ".histogram.counts",
                    detail: "has \(histogram.counts.count) bins, expected \(bins)")
            }
            if column.kind == .categorical, histogram.levels != inputColumn.levels {
                throw .inconsistentManifest(
                    field: field + ".histogram.levels", detail: "differ from the input column's levels")
            }
        }
    }
}
