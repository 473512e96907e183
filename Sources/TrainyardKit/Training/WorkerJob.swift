import Datasets
import Foundation
import Logging
import TrainingProtocol
import TrainingRuntime
import ZeroMQ

/// One job served by this process as a worker: join the coordinator, compute gradients on the
/// job's dataset from the home's store, and say how it ended.
package enum WorkerJob {
    /// Serves the job at `connect` (only `job`, when given) until it ends or `stop` is requested.
    /// - Returns: how it ended and the line summarising it.
    package static func serve(
        connect: String, job: JobID?, giveUpAfter: Double, home: TrainyardHome, sharedMemory: Bool, stop: StopFlag
    ) throws -> (exit: WorkerExit, summary: String) {
        let store = DatasetStore(root: home.datasets)
        var logger = Logger(label: "trainyard.worker")
        logger.logLevel = .info
        let client = WorkerClient(
            context: try Context(),
            settings: WorkerSettings(
                connect: connect, jobID: job, giveUpAfter: giveUpAfter,
                hostName: ProcessInfo.processInfo.hostName, processID: UInt32(getpid()), datasetStore: store,
                sharedMemory: sharedMemory), logger: logger)
        let exit = try client.run(stop: stop) { _, spec in try WorkerWorkload.make(spec, store: store) }
        return (exit, exit.summary(of: client))
    }
}
