import HexText
import Logging
import TrainingProtocol

/// Where the coordinator's parameters go and where its workers' gradient sums come from: the
/// coordinator side of the exchange, the counterpart of ``WorkerExchange``.
/// ``CoordinatorFrameExchange`` uses the sockets only; ``CoordinatorSharedExchange`` adds shared
/// memory for workers on the same host. Used from the coordinator's one thread.
protocol CoordinatorExchange: AnyObject {
    /// The path same-host workers map the parameters from (`sharedParameters` in the job spec), or nil.
    var sharedParametersPath: String? { get }
    /// Makes a parameter broadcast readable by this exchange's readers; returns true when it must
    /// also be published on the broadcast socket (some member of `members`, or none yet, reads it there).
    func publish(_ broadcast: ParameterBroadcast, members: [Membership.Member], threads: Int) -> Bool
    /// Takes a worker's offer of a gradient segment (`member` nil: the sender is not a member).
    func attach(_ offer: SharedMemoryOffer, from member: Membership.Member?, route: [UInt8])
    /// The result with its gradient sum in values (frames or a lent slot), or nil when it names a
    /// slot that does not hold it: dropped and logged, like an invalid frame.
    func resolve(_ result: GradientResult, from route: [UInt8]) -> GradientResult?
}

/// The sockets alone: every broadcast goes on the broadcast socket, every sum must be in the
/// result's frames (a result naming a shared slot is dropped), offers are ignored.
final class CoordinatorFrameExchange: CoordinatorExchange {
    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    var sharedParametersPath: String? { nil }

    func publish(_ broadcast: ParameterBroadcast, members: [Membership.Member], threads: Int) -> Bool { true }

    func attach(_ offer: SharedMemoryOffer, from member: Membership.Member?, route: [UInt8]) {
        logger.notice(
            "ignored a shared-memory offer from \(HexText.encode(route)) (shared memory is off, or not a member)")
    }

    func resolve(_ result: GradientResult, from route: [UInt8]) -> GradientResult? {
        guard result.sharedSlot != nil else { return result }
        logger.warning(
            "dropped a gradientResult from \(HexText.encode(route)) naming a shared slot, with no segment attached")
        return nil
    }
}

/// The sockets plus shared memory: the parameter segment every same-host worker reads, and the
/// gradient segments workers offer. A broadcast is written into the segment (before the work that
/// needs it is sent) once some worker has attached, and skipped on the socket when every member
/// reads the segment. A result naming a slot is resolved in place: the slot is lent to the payload
/// and released when the aggregator drops it (no copy). Removes the parameter segment when it goes away.
final class CoordinatorSharedExchange: CoordinatorExchange {
    private let logger: Logger
    private let jobID: JobID
    private let parameterCount: Int
    private let directory: String
    private let parameters: SharedParameters
    /// Attached gradient segments, by the worker's route.
    private var gradients: [[UInt8]: SharedGradients] = [:]

    /// Creates the parameter segment in `directory` (e.g. `/dev/shm`).
    init(directory: String, jobID: JobID, parameterCount: Int, logger: Logger) throws(SharedMemoryError) {
        parameters = try SharedParameters.create(directory: directory, jobID: jobID, parameterCount: parameterCount)
        self.directory = directory
        self.jobID = jobID
        self.parameterCount = parameterCount
        self.logger = logger
    }

    deinit { parameters.remove() }

    var sharedParametersPath: String? { parameters.path }

    func publish(_ broadcast: ParameterBroadcast, members: [Membership.Member], threads: Int) -> Bool {
        gradients = gradients.filter { route, _ in members.contains { $0.route == route } }
        if !gradients.isEmpty {
            parameters.write(version: broadcast.version, broadcast.parameters, threads: threads)
        }
        // Workers reading shared memory need no broadcast.
        return members.isEmpty || members.contains(where: { gradients[$0.route] == nil })
    }

    func attach(_ offer: SharedMemoryOffer, from member: Membership.Member?, route: [UInt8]) {
        guard let member else {
            logger.notice(
                "ignored a shared-memory offer from \(HexText.encode(route)) (shared memory is off, or not a member)")
            return
        }
        do {
            gradients[route] = try SharedGradients.attach(
                offer, directory: directory, jobID: jobID, worker: member.identity,
                processID: member.processID, parameterCount: parameterCount)
            logger.debug("worker \(member.index) exchanges through shared memory (\(offer.slotCount) slots)")
        } catch {
            logger.warning("worker \(member.index)'s shared-memory offer was refused: \(error)")
        }
    }

    func resolve(_ result: GradientResult, from route: [UInt8]) -> GradientResult? {
        guard result.sharedSlot != nil else { return result }
        guard let segment = gradients[route] else {
            logger.warning(
                "dropped a gradientResult from \(HexText.encode(route)) naming a shared slot, with no segment attached")
            return nil
        }
        do {
            var resolved = result
            resolved.gradientSum = try segment.resolve(result)
            resolved.sharedSlot = nil
            return resolved
        } catch {
            logger.warning("dropped a gradientResult from \(HexText.encode(route)): \(error)")
            return nil
        }
    }
}
