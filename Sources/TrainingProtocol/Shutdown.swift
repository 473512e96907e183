/// Why a peer is leaving (a u16 code).
package enum ShutdownReason: UInt16, Sendable, Hashable, CaseIterable {
    /// Coordinator → workers: training completed.
    case jobFinished = 1
    /// Coordinator → workers: the job failed (the text says why).
    case jobFailed = 2
    /// Coordinator → workers: the job was stopped by the user (Ctrl-C).
    case jobKilled = 3
    /// Worker → coordinator: this worker is exiting; reassign its work now.
    case workerExiting = 4
    /// Coordinator → worker: removed from membership (timed out); it may register again.
    case removed = 5
}

/// Either direction: the sender is ending the relationship; the receiver stops and does not wait.
///
/// Header (40 bytes): reason 32 (u16), reserved 34..39. Metadata: text (≤ 4096 bytes).
package struct Shutdown: WireBody, Equatable {
    static let kind = MessageKind.shutdown

    /// Why.
    package var reason: ShutdownReason
    /// A sentence for logs.
    package var text: String

    /// Creates a shutdown notice.
    package init(reason: ShutdownReason, text: String) {
        self.reason = reason
        self.text = text
    }

    func write(header: inout FieldWriter, metadata: inout FieldWriter) {
        header.u16(reason.rawValue)
        header.zeros(6)
        metadata.string(text)
    }

    static func read(header: inout FieldReader, metadata: inout FieldReader, payload: inout PayloadSource)
        throws(ProtocolError) -> Shutdown
    {
        let position = header.position("reason")
        let code = try header.u16("reason")
        guard let reason = ShutdownReason(rawValue: code) else {
            throw .outOfRange(position, found: String(code), expected: "1...\(ShutdownReason.allCases.count)")
        }
        try header.reserved(6)
        return Shutdown(reason: reason, text: try metadata.string("text", limit: WireConstants.maxTextBytes))
    }
}

/// What went wrong, in an `error` message (a u16 code).
package enum ErrorCode: UInt16, Sendable, Hashable, CaseIterable {
    /// The peer's previous message could not be processed (the text names the field).
    case malformedMessage = 1
    /// The message is valid but not expected now (e.g. a result before any assignment).
    case unexpectedMessage = 2
    /// The sender is not a member: the worker must register (again).
    case notRegistered = 3
    /// A chunk was requested for a dataset version the coordinator does not have.
    case unknownDataset = 4
    /// A chunk was requested beyond the end of the dataset object.
    case chunkOutOfRange = 5
    /// The sender hit an internal failure it cannot recover from.
    case internalFailure = 6
    /// A worker's computation gave non-finite values (NaN, infinity) from the parameters it was
    /// sent: training diverged. The coordinator stops the run as failed.
    case nonFiniteValues = 7
}

/// Either direction: a problem report that does not end the job by itself.
///
/// Header (48 bytes): code 32 (u16), reserved 34..39, step 40 (the related step, or 0).
/// Metadata: text (≤ 4096 bytes).
package struct ErrorReport: WireBody, Equatable {
    static let kind = MessageKind.error

    /// What kind of problem.
    package var code: ErrorCode
    /// The step the problem relates to, or 0.
    package var step: UInt64
    /// A sentence for logs.
    package var text: String

    /// Creates an error report.
    package init(code: ErrorCode, step: UInt64, text: String) {
        self.code = code
        self.step = step
        self.text = text
    }

    func write(header: inout FieldWriter, metadata: inout FieldWriter) {
        header.u16(code.rawValue)
        header.zeros(6)
        header.u64(step)
        metadata.string(text)
    }

    static func read(header: inout FieldReader, metadata: inout FieldReader, payload: inout PayloadSource)
        throws(ProtocolError) -> ErrorReport
    {
        let position = header.position("code")
        let raw = try header.u16("code")
        guard let code = ErrorCode(rawValue: raw) else {
            throw .outOfRange(position, found: String(raw), expected: "1...\(ErrorCode.allCases.count)")
        }
        try header.reserved(6)
        let step = try header.u64("step")
        return ErrorReport(code: code, step: step, text: try metadata.string("text", limit: WireConstants.maxTextBytes))
    }
}
