import Foundation

/// The order of `runs list`: `[-]metrics.KEY`, `[-]params.KEY` or `[-]attributes.NAME` (a leading
/// minus sorts descending). Runs without the key come last either way; ties go newest first.
package struct RunSort: Sendable, Equatable {
    package var field: RunFilter.Field
    package var descending: Bool

    package init(field: RunFilter.Field, descending: Bool) {
        self.field = field
        self.descending = descending
    }

    /// Newest runs first (the default order).
    package static let newestFirst = RunSort(field: .attribute(.startTime), descending: true)

    /// Parses `-metrics.val_accuracy`, `params.lr`, `start_time`, `attributes.name`, ...
    /// - Throws: ``TrackingError/malformedExpression(expression:position:expected:)``.
    package init(parsing expression: String) throws {
        let leading = expression.prefix(while: \.isWhitespace).count
        var body = expression.dropFirst(leading)
        while body.last?.isWhitespace == true { body = body.dropLast() }
        var descending = false
        var offset = leading
        if body.first == "-" || body.first == "+" {
            descending = body.first == "-"
            body = body.dropFirst()
            offset += 1
        }
        if let attribute = RunAttribute(rawValue: body.lowercased()) {
            self.init(field: .attribute(attribute), descending: descending)
            return
        }
        var parser = FilterParser(String(body))
        do {
            self.init(field: try parser.parseSortField(), descending: descending)
        } catch TrackingError.malformedExpression(_, let position, let expected) {
            throw TrackingError.malformedExpression(
                expression: expression, position: offset + position, expected: expected)
        }
    }
}
