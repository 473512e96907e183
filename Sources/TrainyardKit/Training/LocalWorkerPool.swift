import Foundation
import JobConfiguration

/// Worker processes started on this machine by `trainyard train` or `trainyard sweep`, each
/// logging to a file.
///
/// ``stop()`` terminates and reaps every one of them; the launcher calls it on every exit path,
/// so no worker outlives it (and a worker whose launcher was killed -9 gives up on its own after
/// `cluster.worker_give_up_after`).
package final class LocalWorkerPool {
    package private(set) var processes: [Process] = []
    package let logDirectory: URL

    package init(logDirectory: URL) { self.logDirectory = logDirectory }

    /// The path of the running `trainyard` executable.
    package static var executable: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    }

    /// Starts `count` workers connected to `endpoint` for `jobID`.
    package func start(count: Int, endpoint: String, jobID: String, giveUpAfter: Double) throws {
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        for index in 0..<count {
            processes.append(
                try spawn(
                    index: index,
                    arguments: [
                        "--connect", endpoint, "--job-id", jobID,
                        "--give-up-after", String(giveUpAfter),
                    ], input: nil))
        }
    }

    /// Starts `count` workers that serve one job after another, each named by ``assign(endpoint:jobID:)``
    /// on their standard input (`worker --jobs-from-stdin`); they exit when the pool stops.
    package func startServing(count: Int, giveUpAfter: Double) throws {
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        self.giveUpAfter = giveUpAfter
        for index in 0..<count {
            let pipe = Pipe()
            processes.append(try spawn(index: index, arguments: servingArguments, input: pipe))
            inputs.append(pipe.fileHandleForWriting)
        }
    }

    /// Sends every serving worker to the job `jobID` at `endpoint`; a worker that exited is
    /// started again first (its log is appended to).
    package func assign(endpoint: String, jobID: String) throws {
        for index in processes.indices where !processes[index].isRunning {
            let pipe = Pipe()
            try? inputs[index].close()
            processes[index].waitUntilExit()
            processes[index] = try spawn(index: index, arguments: servingArguments, input: pipe)
            inputs[index] = pipe.fileHandleForWriting
        }
        for input in inputs { try? input.write(contentsOf: Data("\(endpoint) \(jobID)\n".utf8)) }
    }

    private var inputs: [FileHandle] = []
    private var giveUpAfter: Double = 30
    private var servingArguments: [String] { ["--jobs-from-stdin", "--give-up-after", String(giveUpAfter)] }

    private func spawn(index: Int, arguments: [String], input: Pipe?) throws -> Process {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["worker"] + arguments
        let log = logDirectory.appendingPathComponent("worker-\(index).log")
        if !FileManager.default.fileExists(atPath: log.path) {
            guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
                throw WorkFailed("cannot create the worker log \(log.path)")
            }
        }
        let handle = try FileHandle(forWritingTo: log)
        try handle.seekToEnd()
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = input ?? FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Workers that exited already, with their status.
    package var exited: [(index: Int, status: Int32)] {
        processes.enumerated().compactMap { i, p in p.isRunning ? nil : (i, p.terminationStatus) }
    }

    /// Waits up to `grace` seconds for workers to exit on their own (they do after the
    /// coordinator's shutdown message), then SIGTERM, then SIGKILL.
    package func stop(grace: Double = 5) {
        for input in inputs { try? input.close() }  // serving workers exit at the end of their input
        let deadline = Date().addingTimeInterval(grace)
        while processes.contains(where: \.isRunning) && Date() < deadline { usleep(20_000) }
        for p in processes where p.isRunning { p.terminate() }
        let hard = Date().addingTimeInterval(2)
        while processes.contains(where: \.isRunning) && Date() < hard { usleep(20_000) }
        for p in processes where p.isRunning { kill(p.processIdentifier, SIGKILL) }
        for p in processes { p.waitUntilExit() }
    }
}

extension TrainingSession {
    /// Runs the job with ``localWorkers`` worker processes on this machine (`train`, `resume`),
    /// logging to the run's directory; they are stopped however the run ends.
    package func runWithLocalWorkers() throws -> TrainingSummary {
        var pool: LocalWorkerPool?
        return try run(
            launch: { endpoint, jobID, job, runDirectory in
                let workers = LocalWorkerPool(logDirectory: runDirectory)
                pool = workers
                try workers.start(
                    count: localWorkers, endpoint: endpoint, jobID: jobID.description,
                    giveUpAfter: job.config.cluster.workerGiveUpAfter)
            }, afterRun: { pool?.stop() })
    }
}
