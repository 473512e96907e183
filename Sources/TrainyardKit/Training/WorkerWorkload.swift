import Datasets
import Foundation
import TrainingRuntime

/// The gradient workload of a worker that joined a job: the job's dataset version from the
/// worker's own store, split and transformed exactly as the coordinator did.
package enum WorkerWorkload {
    /// Opens `spec`'s dataset in `store` (downloaded first by the worker when missing) and builds
    /// the workload over its training rows.
    ///
    /// Random rows read faster from a huge-page copy than from the file's page cache, so a data
    /// set up to an eighth of `physicalMemory` is copied (docs/OPERATIONS.md).
    /// - Throws: ``DatasetError`` for a missing or damaged version, a transform that does not decode.
    package static func make(
        _ spec: WorkerJobSpec, store: DatasetStore,
        physicalMemory: UInt64 = ProcessInfo.processInfo.physicalMemory
    ) throws -> MicroShardWorkload {
        let opened = try store.open(digest: spec.datasetDigest)
        let version = opened.dataFileBytes <= Int(physicalMemory / 8) ? try opened.residentCopy() : opened
        let labels = spec.split.stratify ? version.labels() : nil
        let split = try DatasetSplit.make(
            rowCount: version.rowCount, validation: spec.split.validationFraction,
            seed: spec.split.seed, stratifyBy: labels)
        let transforms = try spec.transformsJSON.map { try FittedTransforms(json: Data($0.utf8)) }
        let examples = DatasetExamples(
            version: version, rows: split.train, transforms: transforms, seed: spec.split.seed)
        return MicroShardWorkload(
            model: try spec.model.makeModel(), examples: examples, threads: spec.threads,
            localUpdate: spec.localUpdate, prefetch: true)
    }
}
