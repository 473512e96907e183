import Foundation

/// The content-addressed store of dataset versions: `ROOT/<digest>/` with `data.bin`,
/// `schema.json`, `stats.json` and `manifest.json`.
///
/// A version is written into `ROOT/.incoming-<uuid>/`, every file fsynced, then renamed to its
/// digest and the directory fsynced; an import that fails leaves nothing behind, and content
/// already present is not stored again. Safe to use from several processes: the rename is the
/// commit, and a loser of a race discards its copy.
package struct DatasetStore: Sendable {
    /// The store directory (`TRAINYARD_HOME/datasets`).
    package let root: URL

    package init(root: URL) { self.root = root }

    /// The directory of the version with `digest` (which may not exist).
    package func directory(digest: String) -> URL { root.appendingPathComponent(digest, isDirectory: true) }

    /// True when a committed version with `digest` exists.
    package func contains(digest: String) -> Bool {
        FileManager.default.fileExists(atPath: directory(digest: digest).appendingPathComponent("manifest.json").path)
    }

    /// Digests of all committed versions, sorted.
    package func digests() throws -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { $0.count == 64 && $0.allSatisfy(\.isHexDigit) && contains(digest: $0) }.sorted()
    }

    /// Opens a stored version for reading (memory-mapped).
    package func open(digest: String) throws -> DatasetVersion {
        guard contains(digest: digest) else { throw DatasetError.versionNotFound(digest: digest) }
        return try DatasetVersion(directory: directory(digest: digest))
    }

    /// Imports `url` (format inferred from its extension unless given), checks it, and stores it.
    ///
    /// Throws ``DatasetError`` for unreadable or invalid input (with file, line and column) and
    /// ``DatasetError/qualityChecksFailed(_:)`` under `strict` when warnings were found.
    /// Complexity: two sequential passes (the text, then a binary spill), memory bounded.
    package func importFile(at url: URL, format: SourceFormat? = nil, options: ImportOptions = ImportOptions())
        throws -> ImportOutcome
    {
        let format = format ?? SourceFormat.infer(from: url)
        return try store(sourceFormat: format, source: url.path, options: options) { incoming in
            switch format {
            case .csv:
                let reader = CSVReader(url: url, options: options)
                let (names, kinds) = try reader.inferColumns()
                let label = try reader.labelIndex(names: names)
                let builder = try RawTableBuilder(
                    columns: zip(names, kinds).map { RawColumn(name: $0, kind: $1) }, labelIndex: label,
                    spillPath: incoming.appendingPathComponent("rows.spill").path)
                try reader.read(into: builder)
                return builder
            case .libsvm:
                return try LIBSVMReader(url: url, options: options).read(spillDirectory: incoming)
            case .npy:
                return try NPYReader(url: url, options: options).read(spillDirectory: incoming)
            case .generated:
                throw DatasetError.invalidRequest("\(url.path): \"generated\" is not a file format")
            }
        }
    }

    /// Generates a synthetic dataset (see ``SyntheticSpec``) and stores it like an import.
    package func generate(_ spec: SyntheticSpec, options: ImportOptions = ImportOptions()) throws -> ImportOutcome {
        var options = options
        options.task = spec.kind
        return try store(sourceFormat: .generated, source: spec.description, options: options) { incoming in
            try spec.write(spillDirectory: incoming)
        }
    }

    private func store(
        sourceFormat: SourceFormat, source: String, options: ImportOptions,
        read: (URL) throws -> RawTableBuilder
    ) throws -> ImportOutcome {
        let fm = FileManager.default
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        let incoming = root.appendingPathComponent(".incoming-\(UUID().uuidString)", isDirectory: true)
        try fm.createDirectory(at: incoming, withIntermediateDirectories: false)
        defer { try? fm.removeItem(at: incoming) }
        let builder = try read(incoming)
        try builder.finish()
        let encoded = try VersionEncoder(builder: builder, options: options, file: source).encode(into: incoming)
        if options.strict, !encoded.warnings.isEmpty {
            throw DatasetError.qualityChecksFailed(
                encoded.warnings.map {
                    var issue = $0
                    issue.severity = .error
                    return issue
                })
        }
        let manifest = DatasetManifest(
            formatVersion: Int(DataFileLayout.formatVersion), digest: encoded.digest,
            rows: Int(encoded.statistics.rows),
            features: encoded.schema.featureCount,
            rowsPerBlock: DataFileLayout(features: encoded.schema.featureCount, rows: 0).rowsPerBlock,
            sourceFormat: sourceFormat.rawValue, source: source, createdAt: Date())
        let final = directory(digest: encoded.digest)
        var created = false
        if !contains(digest: encoded.digest) {
            try writeFileAtomically(
                try Self.prettyJSON(encoded.schema), to: incoming.appendingPathComponent("schema.json"))
            try writeFileAtomically(
                try Self.prettyJSON(encoded.statistics), to: incoming.appendingPathComponent("stats.json"))
            try writeFileAtomically(try Self.prettyJSON(manifest), to: incoming.appendingPathComponent("manifest.json"))
            try syncDirectory(incoming.path)
            if fm.fileExists(atPath: final.path) { try? fm.removeItem(at: final) }
            if rename(incoming.path, final.path) == 0 {
                created = true
                try syncDirectory(root.path)
            } else if !contains(digest: encoded.digest) {
                throw DatasetError.io(path: final.path, call: "rename", code: errno)
            }
        }
        let version = try DatasetVersion(directory: final)
        return ImportOutcome(
            digest: encoded.digest, directory: final, schema: encoded.schema,
            statistics: encoded.statistics, manifest: version.manifest, warnings: encoded.warnings,
            created: created, sizeBytes: version.sizeBytes)
    }

    static func prettyJSON<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(value) + Data("\n".utf8)
    }

    static func decodeJSON<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DatasetError.corruptVersion(path: url.path, detail: "cannot read: \(error.localizedDescription)")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do { return try decoder.decode(type, from: data) } catch {
            throw DatasetError.corruptVersion(path: url.path, detail: "invalid JSON: \(error)")
        }
    }
}
