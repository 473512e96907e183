import ArgumentParser
import Foundation
import ModelPackage
import TrainyardKit

/// `trainyard models export NAME@ALIAS DIR`: copy a registered model's package out.
struct ModelsExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Copy a model package (model.json + model.safetensors) into a directory.",
        discussion:
            "The package is checked against the registry's digest first. `trainyard predict DIR` scores with it.")

    @Argument(help: "NAME@ALIAS, NAME/VERSION or models:/….") var model: String
    @Argument(help: "Directory to write (created if missing; the two files are replaced).") var directory: String
    @OptionGroup var output: OutputOptions

    struct Exported: Encodable {
        let model: String
        let version: Int?
        let directory: String
        let files: [String]
    }

    func run() throws {
        let resolved = try ModelPackages.open(model, home: .fromEnvironment())
        let target = URL(fileURLWithPath: directory, isDirectory: true)
        var names: [String] = []
        for source in PackagedModel.files(in: resolved.directory) {
            guard let data = FileManager.default.contents(atPath: source.path) else {
                throw WorkFailed("cannot read \(source.path)")
            }
            do {
                try AtomicFile.write([UInt8](data), to: target.appendingPathComponent(source.lastPathComponent))
            } catch {
                throw WorkFailed("cannot write into \(target.path): \(error)")
            }
            names.append(source.lastPathComponent)
        }
        if output.json {
            try JSONOutput.print(
                Exported(
                    model: resolved.record?.model ?? model, version: resolved.record?.version,
                    directory: target.path, files: names))
        } else {
            print("exported \(resolved.label) to \(target.path) (\(names.joined(separator: ", ")))")
        }
    }
}
