import Crypto
import Foundation
import HexText
import JobConfiguration
import Sweeps
import TrainingRuntime

/// A sweep file resolved: the spec, the base job inline, and every trial's parameters, each
/// trial's job checked up front so a bad value stops the sweep before anything runs.
package struct SweepDefinition {
    /// The sweep with `job:` inline (never `base:`): what the sweep run records and what
    /// `sweep resume` reads back.
    package let document: ConfigValue
    package let spec: SweepSpec
    package let name: String
    package let experiment: String
    package let baseJob: ConfigValue
    package let parameters: [[ParameterAssignment]]
    /// SHA-256 of ``document``'s JSON: the same file and base job give the same sweep.
    package let digest: String

    /// Validates a resolved sweep document (`job:` inline).
    /// - Throws: ``BadInput`` naming `origin` and the key.
    package init(document: ConfigValue, origin: String) throws {
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
        digest = HexText.encode(SHA256.hash(data: Data(document.jsonText.utf8)))
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
    package func trialDocument(_ index: Int) throws -> ConfigValue {
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
    package func checkDatasets(_ data: DataContext) throws {
        var checked: Set<String> = []
        for index in parameters.indices {
            guard case .string(let reference)? = try trialDocument(index).value(at: "data.dataset"),
                checked.insert(reference).inserted, !FileManager.default.fileExists(atPath: reference)
            else { continue }
            _ = try data.resolve(reference)
        }
    }

    /// Epochs trial `index` trains when it runs to the end.
    package func totalEpochs(ofTrial index: Int) throws -> Int {
        try JobConfig(from: try trialDocument(index)).training.epochs
    }
}
