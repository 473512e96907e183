import Foundation

/// What `models export` reports (its `--json` shape): the model and the files written.
package struct ModelExportReport: Encodable {
    package let model: String
    package let version: Int?
    package let directory: String
    package let files: [String]
    /// `NAME/VERSION` or the source directory (not part of the JSON).
    private let label: String

    private enum CodingKeys: String, CodingKey {
        case model, version, directory, files
    }

    package init(model: String, version: Int?, directory: String, files: [String], label: String) {
        self.model = model
        self.version = version
        self.directory = directory
        self.files = files
        self.label = label
    }

    /// `exported NAME/VERSION to DIR (FILES)`.
    package var text: String { "exported \(label) to \(directory) (\(files.joined(separator: ", ")))" }
}
