/// Optional features a worker announces in `register` (a 64-bit set at header offset 56).
///
/// Bits not defined here are carried and ignored, so a feature can be announced without a new
/// protocol version; layout changes still need one.
package struct Capabilities: OptionSet, Sendable, Hashable {
    package let rawValue: UInt64
    package init(rawValue: UInt64) { self.rawValue = rawValue }

    /// The worker can read the dataset store directly (no chunk streaming needed).
    package static let datasetStore = Capabilities(rawValue: 1 << 0)
    /// The worker can receive dataset bytes as `dataChunk` messages.
    package static let dataStreaming = Capabilities(rawValue: 1 << 1)
    /// The worker supports the `async` training mode.
    package static let asyncMode = Capabilities(rawValue: 1 << 2)
    /// The worker supports the `local_sgd` training mode.
    package static let localSGD = Capabilities(rawValue: 1 << 3)
}

/// Worker → coordinator: the first message on a DEALER connection, asking to join a job.
///
/// Header (64 bytes): identity at 32, pid at 48, threads at 52, capabilities at 56.
/// Metadata: host name (≤ 255 bytes), cached dataset digests (≤ 1024).
package struct Register: WireBody, Equatable {
    static let kind = MessageKind.register

    /// The worker's identity, unique per process and job.
    package var worker: WorkerIdentity
    /// The worker's operating-system process id (≥ 1).
    package var processID: UInt32
    /// Compute threads the worker will use (1...65,536).
    package var threads: UInt32
    /// Optional features.
    package var capabilities: Capabilities
    /// The worker's host name, for logs and placement.
    package var hostName: String
    /// Dataset versions already in the worker's cache, by content digest.
    package var cachedDatasets: [ContentDigest]

    /// Creates a registration.
    package init(
        worker: WorkerIdentity, processID: UInt32, threads: UInt32, capabilities: Capabilities,
        hostName: String, cachedDatasets: [ContentDigest]
    ) {
        self.worker = worker
        self.processID = processID
        self.threads = threads
        self.capabilities = capabilities
        self.hostName = hostName
        self.cachedDatasets = cachedDatasets
    }

    func write(header: inout FieldWriter, metadata: inout FieldWriter) {
        header.raw(worker.bytes)
        header.u32(processID)
        header.u32(threads)
        header.u64(capabilities.rawValue)
        metadata.string(hostName)
        metadata.u32(UInt32(clamping: cachedDatasets.count))
        for digest in cachedDatasets { metadata.raw(digest.bytes) }
    }

    static func read(header: inout FieldReader, metadata: inout FieldReader, payload: inout PayloadSource)
        throws(ProtocolError) -> Register
    {
        let worker = try header.identity("worker")
        let processID = try header.u32("processID", in: 1...UInt64(UInt32.max))
        let threads = try header.u32("threads", in: 1...UInt64(WireConstants.maxThreads))
        let capabilities = Capabilities(rawValue: try header.u64("capabilities"))
        let hostName = try metadata.string("hostName", limit: WireConstants.maxHostNameBytes)
        let count = try metadata.listCount("cachedDatasets", elementSize: 32, limit: WireConstants.maxCachedDatasets)
        var cached: [ContentDigest] = []
        cached.reserveCapacity(count)
        for _ in 0..<count { cached.append(try metadata.digest("cachedDatasets")) }
        return Register(
            worker: worker, processID: processID, threads: threads, capabilities: capabilities,
            hostName: hostName, cachedDatasets: cached)
    }
}

/// Coordinator → worker: the registration is accepted; the worker is a member from now on.
///
/// Header (144 bytes): identity 32, workerIndex 48, heartbeatIntervalMs 52, heartbeatTimeoutMs 56,
/// reserved 60, parameterCount 64, parameterVersion 72, datasetDigest 80, configDigest 112.
/// Metadata: the job configuration text (≤ 1 MiB).
package struct Accept: WireBody, Equatable {
    static let kind = MessageKind.accept

    /// The identity being accepted (echoes the registration).
    package var worker: WorkerIdentity
    /// The worker's index in this job's membership (0...65,535), for logs and local-SGD ordering.
    package var workerIndex: UInt32
    /// How often each side sends a heartbeat, in milliseconds (≥ 1).
    package var heartbeatIntervalMilliseconds: UInt32
    /// Silence after which the peer is considered gone, in milliseconds (> interval).
    package var heartbeatTimeoutMilliseconds: UInt32
    /// The model size in Float32 parameters: every payload of this job has exactly this many elements.
    package var parameterCount: UInt64
    /// The coordinator's current parameter version (≥ 1); the worker catches up to it before working.
    package var parameterVersion: UInt64
    /// The training dataset version (SHA-256 of its content).
    package var datasetDigest: ContentDigest
    /// SHA-256 of ``jobConfiguration``'s UTF-8 bytes; the runtime verifies it.
    package var configDigest: ContentDigest
    /// The job configuration the worker must train with (canonical text chosen by the runtime).
    package var jobConfiguration: String

    /// Creates an acceptance.
    package init(
        worker: WorkerIdentity, workerIndex: UInt32, heartbeatIntervalMilliseconds: UInt32,
        heartbeatTimeoutMilliseconds: UInt32, parameterCount: UInt64, parameterVersion: UInt64,
        datasetDigest: ContentDigest, configDigest: ContentDigest, jobConfiguration: String
    ) {
        self.worker = worker
        self.workerIndex = workerIndex
        self.heartbeatIntervalMilliseconds = heartbeatIntervalMilliseconds
        self.heartbeatTimeoutMilliseconds = heartbeatTimeoutMilliseconds
        self.parameterCount = parameterCount
        self.parameterVersion = parameterVersion
        self.datasetDigest = datasetDigest
        self.configDigest = configDigest
        self.jobConfiguration = jobConfiguration
    }

    func write(header: inout FieldWriter, metadata: inout FieldWriter) {
        header.raw(worker.bytes)
        header.u32(workerIndex)
        header.u32(heartbeatIntervalMilliseconds)
        header.u32(heartbeatTimeoutMilliseconds)
        header.zeros(4)
        header.u64(parameterCount)
        header.u64(parameterVersion)
        header.raw(datasetDigest.bytes)
        header.raw(configDigest.bytes)
        metadata.string(jobConfiguration)
    }

    static func read(header: inout FieldReader, metadata: inout FieldReader, payload: inout PayloadSource)
        throws(ProtocolError) -> Accept
    {
        let worker = try header.identity("worker")
        let index = try header.u32("workerIndex", in: 0...65_535)
        let interval = try header.u32("heartbeatIntervalMs", in: 1...UInt64(UInt32.max - 1))
        let timeout = try header.u32("heartbeatTimeoutMs", from: UInt64(interval) + 1, through: UInt64(UInt32.max))
        try header.reserved(4)
        let parameterCount = try header.u64("parameterCount", in: 1...UInt64(WireConstants.maxParameterCount))
        let version = try header.u64("parameterVersion", in: 1...UInt64.max)
        let datasetDigest = try header.digest("datasetDigest")
        let configDigest = try header.digest("configDigest")
        let configuration = try metadata.string("jobConfiguration", limit: WireConstants.maxJobConfigBytes)
        return Accept(
            worker: worker, workerIndex: index, heartbeatIntervalMilliseconds: interval,
            heartbeatTimeoutMilliseconds: timeout, parameterCount: parameterCount, parameterVersion: version,
            datasetDigest: datasetDigest, configDigest: configDigest, jobConfiguration: configuration)
    }
}
