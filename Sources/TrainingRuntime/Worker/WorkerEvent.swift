import GradientCore
import Logging
import TrainingProtocol

/// What happens to a worker during one registration, as its ``WorkerSession`` is told.
package enum WorkerEvent: Sendable {
    /// A valid message arrived on the control channel.
    case control(Message)
    /// A parameter broadcast arrived on the broadcast channel.
    case broadcast(ParameterBroadcast)
    /// The exchange holds `version` in place (shared memory): no broadcast is needed for it.
    case parametersInPlace(UInt64)
    /// The search a ``WorkerSessionCommand/findParameters(version:)`` asked for is over (in-place
    /// parameters and queued broadcasts were reported first). `receivesBroadcasts` false: none
    /// will come, so a missing version must be asked for.
    case parametersSought(UInt64, receivesBroadcasts: Bool)
    /// The gradient results of the assignment being computed, ready to send.
    case gradientsComputed([GradientResult])
    /// The local-SGD round being computed is done.
    case roundComputed(LocalRoundResult)
    /// The in-place parameters were overwritten while the assignment was computed; nothing was sent.
    case parametersLost
    /// The computation met non-finite values (diverged parameters).
    case computationFailed(GradientCoreError)
    /// Timers: before waiting for messages (heartbeat, coordinator silence).
    case tick
    /// Every message that had arrived was handled: check the awaited broadcast, compute.
    case inboxEmpty
    /// Asked to stop locally (SIGINT/SIGTERM).
    case stopRequested
}

/// What a ``WorkerSession`` asks its loop to do.
package enum WorkerSessionCommand: Sendable {
    /// Send to the coordinator on the control channel.
    case send(Message)
    /// Tell the coordinator this worker leaves, as well as possible: the session ends right
    /// after, so a failed send is ignored.
    case sayGoodbye(Shutdown)
    /// Look for `version`: report ``WorkerEvent/parametersInPlace(_:)`` if the exchange holds it,
    /// otherwise every broadcast already queued; then ``WorkerEvent/parametersSought(_:receivesBroadcasts:)``.
    case findParameters(version: UInt64)
    /// Compute the assignment's gradient sums against these parameters; answer with
    /// ``WorkerEvent/gradientsComputed(_:)``, ``WorkerEvent/parametersLost`` or ``WorkerEvent/computationFailed(_:)``.
    case computeGradients(WorkAssignment, against: WorkerParameters)
    /// Run the assignment's local-SGD round from these parameters; answer with
    /// ``WorkerEvent/roundComputed(_:)``, ``WorkerEvent/parametersLost`` or ``WorkerEvent/computationFailed(_:)``.
    case computeRound(WorkAssignment, against: WorkerParameters)
    /// Read ahead the rows the next assignment most likely covers (no more work is queued).
    case prefetch(after: WorkAssignment)
    case log(Logger.Level, String)
    /// The session is over.
    case end(WorkerSessionEnd)
}

/// The newest parameters a worker has.
package struct WorkerParameters: Sendable {
    package let version: UInt64
    /// The values of a received broadcast, or nil: read in place from the exchange (shared memory).
    package let values: [Float]?
}

/// How one registration ended.
package enum WorkerSessionEnd: Equatable, Sendable {
    case exit(WorkerExit)
    /// The coordinator removed us (we stalled) or forgot us: register again under a new identity.
    case rejoin(String)
}
