import TrainingProtocol

/// What a coordinator state machine asks its socket loop to do.
package enum TrainerCommand: Sendable {
    /// Send to one worker over the control socket.
    case send(Message, to: [UInt8])
    /// Publish to every worker (parameter broadcasts).
    case publish(Message)
    /// A step (sync, async) or round (local SGD) finished.
    case stepCompleted(StepReport)
    /// Membership changed (log it, record it on the run).
    case membership(Membership.Event)
    /// A worker is far slower than the others (log it, record it on the run, count it).
    case straggler(StragglerReport)
    /// Not enough workers to go on; said at most once per heartbeat interval.
    case waiting(have: Int, need: Int)
    /// A message was dropped (invalid, unexpected or stale); for the log.
    case dropped(String)
    /// Send bytes of the job's dataset to a worker that does not have it.
    case serveData(DataChunkRequest, to: [UInt8])
    /// All steps are done.
    case finished
    /// Training cannot go on (a worker computed non-finite values): stop the run as failed.
    case failed(String)

    /// Progress, membership and log notices, as opposed to messages to send.
    var isPublication: Bool {
        if case .publish = self { return true }
        return false
    }

    var isObservation: Bool {
        switch self {
        case .stepCompleted, .membership, .straggler, .waiting, .dropped: return true
        case .send, .publish, .serveData, .finished, .failed: return false
        }
    }
}

/// A completed step (or local-SGD round), for progress, metrics, evaluation and checkpoints.
package struct StepReport: Sendable {
    /// Steps completed so far (1-based count; a local-SGD round completes several at once).
    package let step: Int
    package let epoch: Int
    /// True when this step ended an epoch.
    package let endsEpoch: Bool
    package let meanLoss: Double
    package let examples: Int
    package let learningRate: Float
    package let parameterVersion: UInt64
    package let activeWorkers: Int
}

/// A worker whose current share of work has taken far longer than the median worker's.
package struct StragglerReport: Sendable, Equatable {
    package let worker: WorkerIdentity
    package let index: Int
    /// Seconds the worker has spent on its current share so far.
    package let elapsed: Double
    /// The median of the workers' most recent share times, in seconds.
    package let median: Double
    /// Micro-shards (sync) or shares (local SGD) also given to other workers; 0 with policy `report`.
    package let reassigned: Int
}
