import Datasets
import Foundation
import HexText
import Logging
import TrainingProtocol
import ZeroMQ

/// Receives what happens during training: progress, evaluation points, membership.
package protocol TrainingObserver: AnyObject {
    /// A step finished; `state` is the training state after it (for evaluation and checkpoints).
    func stepCompleted(_ report: StepReport, state: TrainingSnapshot)
    /// A worker joined or left.
    func membershipChanged(_ event: Membership.Event)
    /// A worker is far slower than the median (and, with policy `reassign`, its work was copied).
    func stragglerDetected(_ report: StragglerReport)
    /// Training is paused for want of workers.
    func waiting(have: Int, need: Int)
}

/// How a coordinator run ended.
package enum CoordinatorOutcome: Equatable, Sendable {
    case finished
    /// Stopped on request (Ctrl-C): the run is KILLED.
    case stopped
    /// Training could not go on (a worker computed non-finite values): the run is FAILED.
    case failed(String)
}

/// The coordinator's sockets and loop: a ROUTER for control and results, a PUB for parameter
/// broadcasts, around a ``CoordinatorTrainer`` (the state machine of the job's mode).
///
/// Everything runs on the calling thread; the loop wakes at least every 100 ms (and when a
/// silent worker's timeout ends) to run timers and check the ``StopFlag``.
package final class CoordinatorServer {
    package let control: ProtocolSocket
    package let broadcast: Socket
    /// The endpoints actually bound (ports filled in).
    package let controlEndpoint: String
    package let broadcastEndpoint: String
    private let logger: Logger
    private let jobID: JobID
    /// Why the trainer asked to stop the run as failed, if it did.
    private var failure: String?
    /// The job's dataset as a stream, for workers that do not have it (nil: none served).
    package var dataset: DatasetArchive?
    private let started = ContinuousClock.now
    /// Where parameters go and gradient sums come from: the sockets, or shared memory as well.
    private let exchange: any CoordinatorExchange
    /// Threads for copying a large model into shared memory (see ``TrainerSetup/updateThreads``).
    package var updateThreads = 1

    /// The path workers on this host map the parameters from (`sharedParameters` in the job spec).
    package var sharedParametersPath: String? { exchange.sharedParametersPath }

    /// Binds both sockets. `broadcastBind` nil binds the broadcast socket on the control host
    /// at any free port. With a `sharedMemoryDirectory` (e.g. `/dev/shm`), workers on this host
    /// exchange parameters and gradients through shared memory instead of the sockets; if the
    /// segment cannot be created there, the sockets carry everything (logged).
    package init(
        context: Context, jobID: JobID, parameterCount: Int, controlBind: String, broadcastBind: String?,
        sharedMemoryDirectory: String? = nil, logger: Logger
    ) throws {
        self.jobID = jobID
        self.logger = logger
        if let sharedMemoryDirectory {
            do {
                exchange = try CoordinatorSharedExchange(
                    directory: sharedMemoryDirectory, jobID: jobID,
                    parameterCount: parameterCount, logger: logger)
            } catch {
                logger.warning("shared memory unavailable, workers exchange over sockets only: \(error)")
                exchange = CoordinatorFrameExchange(logger: logger)
            }
        } else {
            exchange = CoordinatorFrameExchange(logger: logger)
        }
        let router = try context.socket(.router)
        try router.set(.routerMandatory, true)
        try router.set(.sendHighWaterMark, 1000)
        try router.set(.receiveHighWaterMark, 1000)
        try router.bind(controlBind)
        controlEndpoint = try router.lastEndpoint
        control = ProtocolSocket(
            router,
            context: DecodingContext(
                receiver: .coordinator, jobID: jobID,
                parameterCount: parameterCount))
        broadcast = try context.socket(.publisher)
        let host = Self.host(of: controlBind)
        try broadcast.bind(broadcastBind ?? "tcp://\(host):*")
        broadcastEndpoint = try broadcast.lastEndpoint
    }

    /// The port number of a bound `tcp://host:port` endpoint.
    package static func port(of endpoint: String) -> Int? {
        endpoint.split(separator: ":").last.flatMap { Int($0) }
    }

    static func host(of endpoint: String) -> String {
        let rest = endpoint.hasPrefix("tcp://") ? String(endpoint.dropFirst(6)) : endpoint
        guard let colon = rest.lastIndex(of: ":") else { return "127.0.0.1" }
        return String(rest[..<colon])
    }

    private var now: Double {
        let d = ContinuousClock.now - started
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// Runs `trainer` until it finishes or `stop` is requested; tells every worker to shut down.
    package func run<Trainer: CoordinatorTrainer>(_ trainer: inout Trainer, observer: TrainingObserver, stop: StopFlag)
        throws -> CoordinatorOutcome
    {
        let poller = Poller()
        try poller.add(control.socket)
        try execute(trainer.start(now: now), trainer: trainer, observer: observer)
        var finished = trainer.isFinished
        while !finished {
            if stop.isRequested {
                shutdown(trainer, reason: .jobKilled, text: "the run was stopped")
                return .stopped
            }
            let ready = try poller.poll(timeout: wakeUp(trainer))
            if !ready.isEmpty {
                // Drain what is queued, then run timers.
                while let received = try control.receive(dontWait: true) {
                    switch received {
                    case .message(let envelope, let sender):
                        guard let message = resolve(envelope.message, from: sender ?? [], trainer: trainer) else {
                            continue
                        }
                        finished =
                            try execute(
                                trainer.handle(message, from: sender ?? [], now: now),
                                trainer: trainer, observer: observer) || finished
                    case .invalid(let error, let sender, let frames):
                        logger.warning(
                            "dropped an invalid message",
                            metadata: [
                                "sender": "\(sender.map { HexText.encode($0) } ?? "?")", "frames": "\(frames)",
                                "error": "\(error)",
                            ])
                        // A worker of another job or protocol version is told why, so it can say so and exit.
                        if let reason = error.refusalReason, let sender {
                            let refuse = Refuse(worker: nil, reason: reason, text: "\(reason): \(error)")
                            _ = try? control.send(
                                Envelope(jobID: jobID, message: .refuse(refuse)), to: sender, dontWait: true)
                        }
                    }
                    // A stop requested by the observer takes effect right after the step it saw.
                    if finished || stop.isRequested { break }
                }
            }
            if !finished {
                finished = try execute(trainer.tick(now: now), trainer: trainer, observer: observer)
            }
        }
        if let failure {
            shutdown(trainer, reason: .jobFailed, text: failure)
            return .failed(failure)
        }
        shutdown(trainer, reason: .jobFinished, text: "training finished")
        return .finished
    }

    /// How long to wait for messages: at most 100 ms, and no later than the next member's
    /// expiry (to the millisecond), so a dead worker is removed on time.
    private func wakeUp(_ trainer: some CoordinatorTrainer) -> Duration {
        guard let expiry = trainer.membership.nextExpiry else { return .milliseconds(100) }
        let milliseconds = ((expiry - now) * 1000).rounded(.up)
        return .milliseconds(Int64(min(100, max(1, milliseconds))))
    }

    /// Carries out commands; returns true when the trainer reported `.finished`.
    @discardableResult
    private func execute(_ commands: [TrainerCommand], trainer: some CoordinatorTrainer, observer: TrainingObserver)
        throws -> Bool
    {
        var finished = false
        // Messages first, observers last: workers start the next step while the observer
        // evaluates and records the one that just finished. Parameters go out before the work
        // that needs them (into shared memory, where a worker looks when the work arrives).
        let ordered =
            commands.filter(\.isPublication) + commands.filter { !$0.isObservation && !$0.isPublication }
            + commands.filter(\.isObservation)
        for command in ordered {
            switch command {
            case .send(let message, let route):
                if try !control.send(Envelope(jobID: jobID, message: message), to: route, dontWait: true) {
                    logger.debug("could not queue \(message.kind) to a worker (gone or busy)")
                }
            case .publish(let message):
                // Into shared memory first; workers reading it need no broadcast.
                if case .parameterBroadcast(let b) = message,
                    !exchange.publish(b, members: trainer.membership.members, threads: updateThreads)
                {
                    break
                }
                // Zero-copy: libzmq sends the parameters straight from the trainer's array (shared
                // between subscribers); the optimizer's next write copies it only if a slow
                // subscriber still holds it.
                let encoded = try Envelope(jobID: jobID, message: message).encode()
                _ = try ProtocolSocket.send(encoded, on: broadcast, firstFrameFlags: [])
            case .stepCompleted(let report):
                observer.stepCompleted(report, state: trainer.snapshot)
            case .membership(let event):
                observer.membershipChanged(event)
            case .straggler(let report):
                observer.stragglerDetected(report)
            case .waiting(let have, let need):
                observer.waiting(have: have, need: need)
            case .dropped(let why):
                logger.notice("dropped: \(why)")
            case .serveData(let request, let route):
                let chunk: Message
                if let dataset, let bytes = try? dataset.read(offset: request.offset, length: Int(request.length)) {
                    chunk = .dataChunk(
                        DataChunk(
                            datasetDigest: request.datasetDigest, offset: request.offset,
                            totalBytes: dataset.totalBytes, bytes: bytes))
                } else {
                    chunk = .error(
                        ErrorReport(
                            code: .unknownDataset, step: UInt64(trainer.completedSteps),
                            text: "the coordinator cannot serve dataset \(request.datasetDigest)"))
                }
                try control.send(Envelope(jobID: jobID, message: chunk), to: route, dontWait: true)
            case .finished:
                finished = true
            case .failed(let reason):
                failure = failure ?? reason
                finished = true
            }
        }
        return finished
    }

    /// Hands the exchange what is its business before the trainer sees a message: offered
    /// gradient segments (nil: nothing for the trainer) and results naming a shared slot (resolved
    /// into values, or nil when the slot does not hold them: dropped and logged, like an invalid frame).
    private func resolve(_ message: Message, from route: [UInt8], trainer: some CoordinatorTrainer) -> Message? {
        switch message {
        case .sharedMemoryOffer(let offer):
            exchange.attach(offer, from: trainer.membership.member(route: route), route: route)
            return nil
        case .gradientResult(let result):
            return exchange.resolve(result, from: route).map(Message.gradientResult)
        default:
            return message
        }
    }

    private func shutdown(_ trainer: some CoordinatorTrainer, reason: ShutdownReason, text: String) {
        for member in trainer.membership.members {
            _ = try? control.send(
                Envelope(jobID: jobID, message: .shutdown(Shutdown(reason: reason, text: text))),
                to: member.route, dontWait: true)
        }
    }
}
