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

    func run() throws {
        let resolved = try ModelPackages.open(model, home: .fromEnvironment())
        let target = URL(fileURLWithPath: directory, isDirectory: true)
        let report = try ModelPackages.export(resolved, to: target, reference: model)
        if output.json { return try JSONOutput.print(report) }
        print(report.text)
    }
}
