import Crypto
import Foundation
import JobConfiguration
import Sweeps
import TrainingRuntime

/// A sweep file resolved: the spec, the base job inline, and every trial's parameters, each
/// trial's job checked up front so a bad value stops the sweep before anything runs.
struct SweepDefinition {
    /// The sweep with `job:` inline (never `base:`): what the sweep run records and what
    /// `sweep resume` reads back.
    let document: ConfigValue
    let spec: SweepSpec
    let name: String
    let experiment: String
    let baseJob: ConfigValue
    let parameters: [[ParameterAssignment]]
    /// SHA-256 of ``document``'s JSON: the same file and base job give the same sweep.
    let digest: String

    /// Reads `path`; `base:` is a job file path, relative to the current directory or, failing
    /// that, to the sweep file's directory.
    /// - Throws: ``BadInput`` naming the file and the key.
    static func load(path: String) throws -> SweepDefinition {
        var document = try YAMLDocument.load(path: path)
        let fileName = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        if document.value(at: "name") == nil { try document.set(.string(fileName), at: "name") }
        switch (document.value(at: "base"), document.value(at: "job")) {
        case (nil, nil): throw BadInput("\(path): base: (a job file) or job: (the job inline) is required")
        case (.some, .some): throw BadInput("\(path): give either base: or job:, not both")
        case (.some(.string(let base)), nil):
            let beside = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(base).path
            let basePath = base.hasPrefix("/") || FileManager.default.fileExists(atPath: base) ? base : beside
            guard case .map(let entries) = document else { throw BadInput("\(path): expected a mapping") }
            let job = try YAMLDocument.load(path: basePath)
            document = .map(entries.map { $0.key == "base" ? (key: "job", value: job) : $0 })
        case (.some(let other), nil):
            throw BadInput("\(path): base: expected a job file path, found \(other.typeDescription)")
        case (nil, .some): break
        }
        return try SweepDefinition(document: document, origin: path)
    }

    /// Validates a resolved sweep document (`job:` inline).
    /// - Throws: ``BadInput`` naming `origin` and the key.
    init(document: ConfigValue, origin: String) throws {
        self.document = document
        do {
            spec = try SweepSpec(parsing: document)
        } catch let error as SweepSpecError {
            throw BadInput("\(origin): \(error)")
        }
        guard let job = document.value(at: "job"), case .map(let entries) = job else {
            throw BadInput("\(origin): job: expected the job config as a mapping")
        }
        // Only the best trial is registered, by the sweep.
        baseJob = .map(entries.filter { $0.key != "register" })
        guard case .string(let name)? = document.value(at: "name") else {
            throw BadInput("\(origin): name: expected a string")
        }
        self.name = name
        if case .string(let experiment)? = baseJob.value(at: "experiment") {
            self.experiment = experiment
        } else {
            experiment = "default"
        }
        do {
            parameters = try spec.trialParameters()
        } catch let error as SweepSpecError {
            throw BadInput("\(origin): \(error)")
        }
        digest = SHA256.hash(data: Data(document.jsonText.utf8)).map { String(format: "%02x", $0) }.joined()
        for index in parameters.indices {
            let trialJob = try trialDocument(index)
            do {
                _ = try JobConfig(from: trialJob)
            } catch {
                let values = parameters[index].map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
                throw BadInput("\(origin): trial \(index) (\(values)): \(error)")
            }
        }
    }

    /// Trial `index`'s job: the base job with the trial's parameters set, named after the sweep;
    /// for ASHA, `training.epochs` is `max_resource`, so every trial's learning-rate schedule
    /// spans the full budget and a promoted trial continues the schedule it started.
    func trialDocument(_ index: Int) throws -> ConfigValue {
        var job = baseJob
        do {
            try job.set(.string("\(name)-\(index)"), at: "name")
            for assignment in parameters[index] { try job.set(assignment.value.configValue, at: assignment.key) }
            if case .asha(let settings) = spec.algorithm {
                try job.set(.int(settings.maxResource), at: "training.epochs")
            }
        } catch {
            throw BadInput("trial \(index): \(error)")
        }
        return job
    }

    /// Checks that every dataset the trials name is in the catalog (or is a file, imported by
    /// the first trial that uses it), so a typo stops the sweep before it starts.
    /// - Throws: ``BadInput`` from the catalog, naming the reference.
    func checkDatasets(_ data: DataContext) throws {
        var checked: Set<String> = []
        for index in parameters.indices {
            guard case .string(let reference)? = try trialDocument(index).value(at: "data.dataset"),
                checked.insert(reference).inserted, !FileManager.default.fileExists(atPath: reference)
            else { continue }
            _ = try data.resolve(reference)
        }
    }

    /// Epochs trial `index` trains when it runs to the end.
    func totalEpochs(ofTrial index: Int) throws -> Int {
        try JobConfig(from: try trialDocument(index)).training.epochs
    }
}
