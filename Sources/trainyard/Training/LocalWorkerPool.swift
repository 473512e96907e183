import Foundation

/// Worker processes started on this machine by `trainyard train`, each logging to a file.
///
/// ``stop()`` terminates and reaps every one of them; the launcher calls it on every exit path,
/// so no worker outlives it (and a worker whose launcher was killed -9 gives up on its own after
/// `cluster.worker_give_up_after`).
final class LocalWorkerPool {
    private(set) var processes: [Process] = []
    let logDirectory: URL

    init(logDirectory: URL) { self.logDirectory = logDirectory }

    /// The path of the running `trainyard` executable.
    static var executable: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    }

    /// Starts `count` workers connected to `endpoint` for `jobID`.
    func start(count: Int, endpoint: String, jobID: String, giveUpAfter: Double) throws {
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        for index in 0..<count {
            let process = Process()
            process.executableURL = Self.executable
            process.arguments = ["worker", "--connect", endpoint, "--job-id", jobID,
                                 "--give-up-after", String(giveUpAfter)]
            let log = logDirectory.appendingPathComponent("worker-\(index).log")
            guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
                throw WorkFailed("cannot create the worker log \(log.path)")
            }
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = FileHandle.nullDevice
            try process.run()
            processes.append(process)
        }
    }

    /// Workers that exited already, with their status.
    var exited: [(index: Int, status: Int32)] {
        processes.enumerated().compactMap { i, p in p.isRunning ? nil : (i, p.terminationStatus) }
    }

    /// Waits up to `grace` seconds for workers to exit on their own (they do after the
    /// coordinator's shutdown message), then SIGTERM, then SIGKILL.
    func stop(grace: Double = 5) {
        let deadline = Date().addingTimeInterval(grace)
        while processes.contains(where: \.isRunning) && Date() < deadline { usleep(20_000) }
        for p in processes where p.isRunning { p.terminate() }
        let hard = Date().addingTimeInterval(2)
        while processes.contains(where: \.isRunning) && Date() < hard { usleep(20_000) }
        for p in processes where p.isRunning { kill(p.processIdentifier, SIGKILL) }
        for p in processes { p.waitUntilExit() }
    }
}
