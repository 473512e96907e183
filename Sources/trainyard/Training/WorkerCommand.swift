import ArgumentParser
import Datasets
import Foundation
import Logging
import TrainingProtocol
import TrainingRuntime
import TrainyardKit
import ZeroMQ

/// `trainyard worker --connect tcp://HOST:PORT`: one worker process.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Join a coordinator and compute gradients until the job ends.",
        discussion: """
            Exit status: 0 when the job finished, 1 when the coordinator was lost or the job \
            failed, 2 when the coordinator refused this worker (wrong job or protocol version).
            With --jobs-from-stdin the worker serves one job after another, each named by a line \
            "ENDPOINT JOB_ID" on standard input, and exits 0 at the end of the input (this is how \
            `trainyard sweep` keeps its workers across trials).
            """
    )

    @Option(name: .long, help: "The coordinator's control endpoint, e.g. tcp://10.0.0.5:5555.")
    var connect: String?

    @Option(name: .long, help: "Only join this job (UUID); a coordinator running another job refuses us.")
    var jobID: String?

    @Flag(name: .long, help: "Read jobs as lines \"ENDPOINT JOB_ID\" from standard input, one after another.")
    var jobsFromStdin = false

    @Option(name: .long, help: "Seconds to keep trying an unreachable coordinator before exiting.")
    var giveUpAfter: Double = 30

    func validate() throws {
        guard (connect != nil) != jobsFromStdin else {
            throw ValidationError("pass either --connect ENDPOINT or --jobs-from-stdin")
        }
        if jobsFromStdin && jobID != nil {
            throw ValidationError("--job-id comes from standard input with --jobs-from-stdin")
        }
    }

    func run() throws {
        MemoryTuning.keepLargeBuffersOnHeap()
        let trap = SignalTrap()
        guard let connect else {
            while let line = readLine(), !trap.stop.isRequested {
                let fields = line.split(separator: " ").map(String.init)
                guard fields.count == 2, let job = JobID(uuidString: fields[1]) else {
                    printError("worker: ignoring the line \"\(line)\" (expected ENDPOINT JOB_ID)")
                    continue
                }
                let exit = try serve(connect: fields[0], job: job, stop: trap.stop)
                if exit == .stopped { throw ExitCode(1) }
            }
            return
        }
        var job: JobID?
        if let jobID {
            guard let parsed = JobID(uuidString: jobID) else { throw BadInput("--job-id \(jobID) is not a UUID") }
            job = parsed
        }
        switch try serve(connect: connect, job: job, stop: trap.stop) {
        case .shutdown(let reason, _): if reason != .jobFinished { throw ExitCode(1) }
        case .refused: throw ExitCode(2)
        case .coordinatorLost, .stopped: throw ExitCode(1)
        }
    }

    /// Runs one job and says how it ended.
    private func serve(connect: String, job: JobID?, stop: StopFlag) throws -> WorkerExit {
        let (exit, summary) = try WorkerJob.serve(
            connect: connect, job: job, giveUpAfter: giveUpAfter, home: .fromEnvironment(),
            sharedMemory: SharedMemorySetting.directory() != nil, stop: stop)
        printError(summary)
        return exit
    }
}
