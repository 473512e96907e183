import Foundation
import TrainingProtocol
import ZeroMQ

extension WorkerClient {
    /// One registration: a fresh identity, register, wait for the answer, get the dataset and the
    /// exchange ready, subscribe to broadcasts, then work until the session ends.
    func register(stop: StopFlag, makeWorkload: (Accept, WorkerJobSpec) throws -> MicroShardWorkload) throws
        -> WorkerSessionEnd
    {
        let identity = WorkerIdentity.random()
        let dealer = try context.socket(.dealer)
        try dealer.set(.routingID, identity.bytes)
        try dealer.set(.sendHighWaterMark, 1000)
        try dealer.set(.receiveHighWaterMark, 1000)
        try dealer.set(.linger, .milliseconds(200))
        // An unreachable coordinator is retried with backoff: 100 ms, doubling up to 2 s.
        try dealer.set(.reconnectInterval, .milliseconds(100))
        try dealer.set(.reconnectIntervalMax, .seconds(2))
        try dealer.connect(settings.connect)
        var control = ProtocolSocket(dealer, context: DecodingContext(receiver: .worker, jobID: settings.jobID))
        let register = Register(
            worker: identity, processID: settings.processID, threads: 1,
            capabilities: [.datasetStore, .asyncMode, .localSGD], hostName: settings.hostName, cachedDatasets: [])
        try control.send(Envelope(jobID: settings.jobID ?? .unspecified, message: .register(register)))

        // Wait for the answer.
        let registeredAt = now
        var accepted: (Accept, JobID)?
        while accepted == nil {
            if stop.isRequested { return .exit(.stopped) }
            if now - registeredAt > settings.giveUpAfter {
                return .exit(
                    .coordinatorLost(
                        "no answer from the coordinator at \(settings.connect) within \(settings.giveUpAfter)s"))
            }
            guard let received = try control.receive(timeoutMilliseconds: 100) else { continue }
            guard case .message(let envelope, _) = received else { continue }
            switch envelope.message {
            case .accept(let accept): accepted = (accept, envelope.jobID)
            case .refuse(let refuse): return .exit(.refused("\(refuse.reason): \(refuse.text)"))
            default: continue
            }
        }
        guard let (accept, jobID) = accepted else { return .exit(.stopped) }
        let specData = Data(accept.jobConfiguration.utf8)
        let spec = try JSONDecoder().decode(WorkerJobSpec.self, from: specData)
        control.context = DecodingContext(receiver: .worker, jobID: jobID, parameterCount: Int(accept.parameterCount))
        var backlog: [Message] = []
        if let store = settings.datasetStore, !store.contains(digest: spec.datasetDigest) {
            if let exit = try download(
                accept.datasetDigest, into: store, control: control, jobID: jobID, stop: stop,
                backlog: &backlog)
            {
                return .exit(exit)
            }
        }
        let workload = try makeWorkload(accept, spec)
        logger.info("joined job \(jobID) as worker \(accept.workerIndex)")
        let exchange = try openExchange(
            spec, identity: identity, jobID: jobID, parameterCount: Int(accept.parameterCount),
            control: control)
        defer { (exchange as? WorkerSharedExchange)?.close() }

        let sub = try context.socket(.subscriber)
        try sub.set(.subscribe, Envelope.subscriptionPrefix(jobID: jobID))
        try sub.connect("tcp://\(CoordinatorServer.host(of: settings.connect)):\(spec.broadcastPort)")
        let broadcasts = ProtocolSocket(sub, context: control.context)

        var session = WorkerSession(accept: accept, giveUpAfter: settings.giveUpAfter, now: now)
        let connection = Connection(
            control: control, broadcasts: broadcasts, jobID: jobID, workload: workload, exchange: exchange)
        return try work(connection, session: &session, stop: stop, backlog: backlog)
    }

    /// The job's shared memory, offered to the coordinator, when the job has it and it can be
    /// mapped from here (same host); the sockets alone otherwise.
    private func openExchange(
        _ spec: WorkerJobSpec, identity: WorkerIdentity, jobID: JobID, parameterCount: Int,
        control: ProtocolSocket
    ) throws -> any WorkerExchange {
        guard settings.sharedMemory, let path = spec.sharedParameters, path.contains("/") else {
            return WorkerFrameExchange()
        }
        let shared: WorkerSharedExchange
        do {
            shared = try WorkerSharedExchange.open(
                path: path, jobID: jobID, worker: identity, processID: settings.processID,
                parameterCount: parameterCount)
        } catch {
            logger.info("not using shared memory (the coordinator may be on another host): \(error)")
            return WorkerFrameExchange()
        }
        try control.send(Envelope(jobID: jobID, message: .sharedMemoryOffer(shared.offer)))
        return shared
    }
}
