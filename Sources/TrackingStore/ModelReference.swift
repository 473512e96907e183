/// A parsed model reference: `NAME@ALIAS`, `NAME/VERSION`, the `models:/` URI forms, or `NAME`.
package struct ModelReference: Sendable, Equatable {
    /// What part of the model's history the reference selects.
    package enum Selector: Sendable, Equatable {
        case version(Int)
        case alias(String)
        /// The highest version (`NAME` or `NAME@latest`).
        case latest
    }

    package var model: String
    package var selector: Selector

    /// Parses a reference.
    /// - Throws: `invalidArgument` naming the reference and the accepted forms.
    package init(parsing reference: String) throws {
        let forms = "expected NAME@ALIAS, NAME/VERSION, models:/NAME@ALIAS or models:/NAME/VERSION"
        var body = Substring(reference)
        if body.hasPrefix("models:/") { body = body.dropFirst("models:/".count) }
        if let at = body.firstIndex(of: "@") {
            model = String(body[..<at])
            let alias = String(body[body.index(after: at)...])
            guard !alias.isEmpty else {
                throw TrackingError.invalidArgument(field: "model reference", value: reference, reason: forms)
            }
            selector = alias == "latest" ? .latest : .alias(alias)
        } else if let slash = body.firstIndex(of: "/") {
            model = String(body[..<slash])
            let text = body[body.index(after: slash)...]
            guard let number = Int(text), number >= 1 else {
                throw TrackingError.invalidArgument(
                    field: "model reference", value: reference, reason: "version must be a positive integer; " + forms)
            }
            selector = .version(number)
        } else {
            model = String(body)
            selector = .latest
        }
        do {
            try Validation.name(model, field: "model name")
        } catch {
            throw TrackingError.invalidArgument(field: "model reference", value: reference, reason: forms)
        }
    }
}
