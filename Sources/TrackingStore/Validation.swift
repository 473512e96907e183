/// Checks on names and digests supplied by callers, with messages that say what was expected.
enum Validation {
    private static func isNameCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "_" || c == "-")
    }

    /// `[A-Za-z0-9._-]{1,128}`, not starting with a dot or dash.
    static func name(_ value: String, field: String) throws {
        guard !value.isEmpty, value.count <= 128, value.allSatisfy(isNameCharacter),
            value.first != ".", value.first != "-"
        else {
            throw TrackingError.invalidArgument(
                field: field, value: value,
                reason: "expected 1-128 characters from A-Z a-z 0-9 . _ - (not starting with . or -)")
        }
    }

    static func datasetName(_ value: String) throws { try name(value, field: "dataset name") }

    /// 64 lowercase hex characters (a SHA-256 digest).
    static func digest(_ value: String, field: String) throws {
        guard value.count == 64, value.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw TrackingError.invalidArgument(
                field: field, value: value, reason: "expected 64 lowercase hex characters (SHA-256)")
        }
    }

    /// A non-empty key of at most 250 characters without control characters.
    static func key(_ value: String, field: String) throws {
        guard !value.isEmpty, value.count <= 250,
            !value.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 32 } == true })
        else {
            throw TrackingError.invalidArgument(
                field: field, value: value, reason: "expected 1-250 printable characters")
        }
    }
}

extension Validation {
    /// A path relative to `TRAINYARD_HOME`: not empty, not absolute, no `.`/`..`/empty components.
    static func relativePath(_ value: String, field: String) throws {
        let components = value.split(separator: "/", omittingEmptySubsequences: false)
        guard !value.isEmpty, !value.hasPrefix("/"), value.count <= 1024, !value.contains("\0"),
            components.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." })
        else {
            throw TrackingError.invalidArgument(
                field: field, value: value,
                reason: "expected a path relative to TRAINYARD_HOME without '.', '..' or empty components")
        }
    }
}

extension Validation {
    /// A model alias: a name that is neither all digits nor `latest` (both are reserved selectors).
    static func alias(_ value: String) throws {
        try name(value, field: "alias")
        if value.allSatisfy(\.isNumber) || value == "latest" {
            throw TrackingError.invalidArgument(
                field: "alias", value: value, reason: "numbers and 'latest' are reserved (NAME@3, NAME@latest)")
        }
    }
}
