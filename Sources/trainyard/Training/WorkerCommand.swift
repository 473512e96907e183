import ArgumentParser
import Datasets
import Foundation
import Logging
import TrainingProtocol
import TrainingRuntime
import ZeroMQ

/// `trainyard worker --connect tcp://HOST:PORT`: one worker process.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Join a coordinator and compute gradients until the job ends.",
        discussion: """
            Exit status: 0 when the job finished, 1 when the coordinator was lost or the job \
            failed, 2 when the coordinator refused this worker (wrong job or protocol version).
            """
    )

    @Option(name: .long, help: "The coordinator's control endpoint, e.g. tcp://10.0.0.5:5555.")
    var connect: String

    @Option(name: .long, help: "Only join this job (UUID); a coordinator running another job refuses us.")
    var jobID: String?

    @Option(name: .long, help: "Seconds to keep trying an unreachable coordinator before exiting.")
    var giveUpAfter: Double = 30

    func run() throws {
        MemoryTuning.keepLargeBuffersOnHeap()
        var job: JobID?
        if let jobID {
            guard let parsed = JobID(uuidString: jobID) else { throw BadInput("--job-id \(jobID) is not a UUID") }
            job = parsed
        }
        let home = TrainyardHome.fromEnvironment()
        let store = DatasetStore(root: home.datasets)
        var logger = Logger(label: "trainyard.worker")
        logger.logLevel = .info
        let trap = SignalTrap()
        let client = WorkerClient(context: try Context(), settings: WorkerSettings(
            connect: connect, jobID: job, giveUpAfter: giveUpAfter,
            hostName: ProcessInfo.processInfo.hostName, processID: UInt32(getpid()), datasetStore: store), logger: logger)
        let exit = try client.run(stop: trap.stop) { _, spec in
            let version = try store.open(digest: spec.datasetDigest)
            let labels = spec.split.stratify ? version.labels() : nil
            let split = try DatasetSplit.make(rowCount: version.rowCount, validation: spec.split.validationFraction,
                                              seed: spec.split.seed, stratifyBy: labels)
            let transforms = try spec.transformsJSON.map { try FittedTransforms(json: Data($0.utf8)) }
            let examples = DatasetExamples(version: version, rows: split.train, transforms: transforms, seed: spec.split.seed)
            return MicroShardWorkload(model: try spec.model.makeModel(), examples: examples, threads: spec.threads,
                                      localUpdate: spec.localUpdate)
        }
        switch exit {
        case .shutdown(let reason, let text):
            printError("worker: coordinator shut the job down (\(reason)): \(text); sent \(client.resultsSent) results")
            if reason != .jobFinished { throw ExitCode(1) }
        case .refused(let why):
            printError("worker: refused by the coordinator: \(why)")
            throw ExitCode(2)
        case .coordinatorLost(let why):
            printError("worker: giving up: \(why)")
            throw ExitCode(1)
        case .stopped:
            printError("worker: stopped")
            throw ExitCode(1)
        }
    }
}
