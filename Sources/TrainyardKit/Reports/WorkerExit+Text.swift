import TrainingRuntime

extension WorkerExit {
    /// The line a worker prints when its job ends: how it ended and, after a shutdown, what
    /// `client` sent and read.
    package func summary(of client: WorkerClient) -> String {
        switch self {
        case .shutdown(let reason, let text):
            return "worker: coordinator shut the job down (\(reason)): \(text); sent \(client.resultsSent) results "
                + "(\(client.sharedResults) through shared memory), read \(client.sharedParameterReads) parameter versions "
                + "from shared memory, asked for \(client.catchUpRequests) catch-ups"
        case .refused(let why): return "worker: refused by the coordinator: \(why)"
        case .coordinatorLost(let why): return "worker: giving up: \(why)"
        case .stopped: return "worker: stopped"
        }
    }
}
