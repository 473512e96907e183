import Datasets
import Foundation
import GradientCore
import Logging
import TrainingProtocol
import ZeroMQ

/// How a worker run ended.
package enum WorkerExit: Equatable, Sendable {
    /// The coordinator said the job is over (finished, failed or killed).
    case shutdown(ShutdownReason, String)
    /// The coordinator refused this worker (wrong job, protocol version, …).
    case refused(String)
    /// The coordinator never answered, or went silent for too long.
    case coordinatorLost(String)
    /// Asked to stop locally (SIGINT/SIGTERM).
    case stopped
}

/// Settings of a worker process.
package struct WorkerSettings: Sendable {
    /// The coordinator's control endpoint, e.g. `tcp://10.0.0.5:5555`.
    package var connect: String
    /// The job to join; nil joins whatever job the coordinator runs.
    package var jobID: JobID?
    /// Seconds to wait for a coordinator that does not answer before giving up.
    package var giveUpAfter: Double
    package var hostName: String
    package var processID: UInt32
    /// Where dataset versions are read from, and downloaded into when missing.
    package var datasetStore: DatasetStore?
    /// Use the coordinator's shared memory when the job offers it and this host can map it.
    package var sharedMemory: Bool

    package init(
        connect: String, jobID: JobID?, giveUpAfter: Double, hostName: String, processID: UInt32,
        datasetStore: DatasetStore? = nil, sharedMemory: Bool = true
    ) {
        self.sharedMemory = sharedMemory
        self.connect = connect
        self.jobID = jobID
        self.giveUpAfter = giveUpAfter
        self.hostName = hostName
        self.processID = processID
        self.datasetStore = datasetStore
    }
}

/// A worker: registers with the coordinator, follows parameter broadcasts, computes the
/// micro-shards it is assigned and sends back their gradient sums.
///
/// The sockets, poller and clock around a ``WorkerSession`` (the state machine of one
/// registration): it feeds the session what arrives and carries out its commands, computing
/// with the workload and the session's ``WorkerExchange``. Everything runs on the calling thread.
package final class WorkerClient {
    let context: Context
    let settings: WorkerSettings
    let logger: Logger
    private let started = ContinuousClock.now
    /// Results (gradient sums and local-SGD parameters) sent so far, over all registrations.
    package private(set) var resultsSent = 0
    /// How the exchange went, over all registrations: results whose sum went through shared memory,
    /// parameter versions read from shared memory, and catch-up requests sent.
    package private(set) var sharedResults = 0
    package private(set) var sharedParameterReads = 0
    package private(set) var catchUpRequests = 0

    package init(context: Context, settings: WorkerSettings, logger: Logger) {
        self.context = context
        self.settings = settings
        self.logger = logger
    }

    var now: Double {
        let d = ContinuousClock.now - started
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// Runs until the coordinator shuts the job down, refuses us, or is lost.
    /// - Parameter makeWorkload: builds the gradient workload from the accepted job's spec
    ///   (opens the dataset, fits nothing: transforms come fitted).
    package func run(stop: StopFlag, makeWorkload: (Accept, WorkerJobSpec) throws -> MicroShardWorkload) throws
        -> WorkerExit
    {
        while true {
            switch try register(stop: stop, makeWorkload: makeWorkload) {
            case .rejoin(let why):
                logger.notice("rejoining: \(why)")
            case .exit(let exit):
                return exit
            }
        }
    }

    /// What the work loop of one registration runs on.
    struct Connection {
        let control: ProtocolSocket
        let broadcasts: ProtocolSocket
        let jobID: JobID
        let workload: MicroShardWorkload
        let exchange: any WorkerExchange
    }

    /// The work loop of one registration; `backlog` holds control messages that arrived while the
    /// dataset downloaded.
    func work(_ connection: Connection, session: inout WorkerSession, stop: StopFlag, backlog: [Message]) throws
        -> WorkerSessionEnd
    {
        defer {
            resultsSent += session.resultsSent
            sharedResults += session.sharedResults
            sharedParameterReads += session.sharedParameterReads
            catchUpRequests += session.catchUpRequests
        }
        let poller = Poller()
        try poller.add(connection.control.socket)
        try poller.add(connection.broadcasts.socket)

        for message in backlog {
            if let end = try execute(session.handle(.control(message), now: now), connection, &session) { return end }
        }
        if let end = try execute(session.handle(.inboxEmpty, now: now), connection, &session) { return end }

        while true {
            if stop.isRequested, let end = try execute(session.handle(.stopRequested, now: now), connection, &session) {
                return end
            }
            if let end = try execute(session.handle(.tick, now: now), connection, &session) { return end }
            _ = try poller.poll(timeout: .milliseconds(session.pollMilliseconds))
            try takeBroadcasts(connection, &session)
            while let received = try connection.control.receive(dontWait: true) {
                guard case .message(let envelope, _) = received else {
                    if case .invalid(let error, _, _) = received {
                        logger.warning("dropped an invalid message: \(error)")
                    }
                    continue
                }
                if let end = try execute(session.handle(.control(envelope.message), now: now), connection, &session) {
                    return end
                }
            }
            if let end = try execute(session.handle(.inboxEmpty, now: now), connection, &session) { return end }
        }
    }

    /// Feeds the session every broadcast already queued.
    private func takeBroadcasts(_ connection: Connection, _ session: inout WorkerSession) throws {
        while let received = try connection.broadcasts.receive(dontWait: true) {
            if case .message(let envelope, _) = received, case .parameterBroadcast(let b) = envelope.message {
                _ = session.handle(.broadcast(b), now: now)
            }
        }
    }

    /// Carries out commands in order, feeding back what they produce; returns how the session
    /// ended, if it did.
    private func execute(
        _ commands: [WorkerSessionCommand], _ connection: Connection,
        _ session: inout WorkerSession
    ) throws -> WorkerSessionEnd? {
        for command in commands {
            switch command {
            case .send(let message):
                try connection.control.send(Envelope(jobID: connection.jobID, message: message))
            case .sayGoodbye(let shutdown):
                _ = try? connection.control.send(Envelope(jobID: connection.jobID, message: .shutdown(shutdown)))
            case .findParameters(let version):
                if connection.exchange.holds(version: version) {
                    _ = session.handle(.parametersInPlace(version), now: now)
                } else {
                    try takeBroadcasts(connection, &session)
                }
                let sought = WorkerEvent.parametersSought(
                    version, receivesBroadcasts: connection.exchange.receivesBroadcasts)
                if let end = try execute(session.handle(sought, now: now), connection, &session) { return end }
            case .computeGradients(let assignment, let parameters):
                let event = try computation {
                    try connection.exchange.gradientResults(
                        for: assignment, against: parameters, workload: connection.workload
                    )
                    .map(WorkerEvent.gradientsComputed) ?? .parametersLost
                }
                if let end = try execute(session.handle(event, now: now), connection, &session) { return end }
            case .computeRound(let assignment, let parameters):
                let event = try computation {
                    guard let values = connection.exchange.values(of: parameters) else { return .parametersLost }
                    return .roundComputed(try connection.workload.localRound(assignment, parameters: values))
                }
                if let end = try execute(session.handle(event, now: now), connection, &session) { return end }
            case .prefetch(let assignment):
                connection.workload.prefetcher?.prefetch(after: assignment)
            case .log(let level, let text):
                logger.log(level: level, "\(text)")
            case .end(let end):
                return end
            }
        }
        return nil
    }

    /// Runs a computation; non-finite values become an event, other errors are thrown.
    private func computation(_ body: () throws -> WorkerEvent) throws -> WorkerEvent {
        do {
            return try body()
        } catch let error as GradientCoreError {
            guard case .nonFinite = error else { throw error }
            return .computationFailed(error)
        }
    }
}
