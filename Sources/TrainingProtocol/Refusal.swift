/// Why a registration was refused (a u16 code). Unknown codes are kept: refusals are readable across versions.
package struct RefusalReason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    package let rawValue: UInt16
    package init(rawValue: UInt16) { self.rawValue = rawValue }

    /// The worker asked for a different job than the one this coordinator runs.
    package static let wrongJob = RefusalReason(rawValue: 1)
    /// The worker speaks another protocol version.
    package static let protocolVersion = RefusalReason(rawValue: 2)
    /// Another live member already has this worker identity.
    package static let duplicateIdentity = RefusalReason(rawValue: 3)
    /// The job has finished (or failed, or was killed): nothing left to join.
    package static let jobFinished = RefusalReason(rawValue: 4)
    /// The job has as many workers as it accepts.
    package static let jobFull = RefusalReason(rawValue: 5)
    /// The worker lacks a capability the job needs (e.g. the training mode).
    package static let missingCapability = RefusalReason(rawValue: 6)

    /// The reason's name, or "reason N" for a code this version does not know.
    package var description: String {
        switch rawValue {
        case 1: "wrong job"
        case 2: "wrong protocol version"
        case 3: "duplicate worker identity"
        case 4: "job finished"
        case 5: "job full"
        case 6: "missing capability"
        default: "reason \(rawValue)"
        }
    }
}

/// Coordinator → worker: the registration is refused; the worker prints the text and exits.
///
/// Frozen across protocol versions (kind code 3 and this layout): header (56 bytes) identity 32
/// (all zero if unknown), reason 48, minVersion 50, maxVersion 52, reserved 54; metadata: text (≤ 4096 bytes).
/// A refusal is accepted whatever its header's version and job id.
package struct Refuse: WireBody, Equatable {
    static let kind = MessageKind.refuse

    /// The refused identity, or nil when the registration could not be read.
    package var worker: WorkerIdentity?
    /// The reason code.
    package var reason: RefusalReason
    /// The oldest protocol version the coordinator speaks.
    package var minimumVersion: UInt16
    /// The newest protocol version the coordinator speaks.
    package var maximumVersion: UInt16
    /// A sentence for the worker to print, e.g. "this coordinator runs job 1b4e…; you asked for 9f0c…".
    package var text: String

    /// Creates a refusal; the version range defaults to the one this module speaks.
    package init(
        worker: WorkerIdentity?, reason: RefusalReason, text: String,
        minimumVersion: UInt16 = WireConstants.protocolVersion, maximumVersion: UInt16 = WireConstants.protocolVersion
    ) {
        self.worker = worker
        self.reason = reason
        self.text = text
        self.minimumVersion = minimumVersion
        self.maximumVersion = maximumVersion
    }

    func write(header: inout FieldWriter, metadata: inout FieldWriter) {
        header.raw(worker?.bytes ?? [UInt8](repeating: 0, count: 16))
        header.u16(reason.rawValue)
        header.u16(minimumVersion)
        header.u16(maximumVersion)
        header.zeros(2)
        metadata.string(text)
    }

    static func read(header: inout FieldReader, metadata: inout FieldReader, payload: inout PayloadSource)
        throws(ProtocolError) -> Refuse
    {
        let identity = try header.identity("worker", allowZero: true)
        let worker: WorkerIdentity?
        if identity.bytes.allSatisfy({ $0 == 0 }) {
            worker = nil
        } else if identity.bytes[0] == 0 {
            throw .outOfRange(
                header.position("worker", at: 32), found: "first byte 0", expected: "all zero or a non-zero first byte")
        } else {
            worker = identity
        }
        let reason = try header.u16("reason")
        try FieldReader.check(UInt64(reason), from: 1, through: UInt64(UInt16.max), header.position("reason", at: 48))
        let minimum = try header.u16("minVersion")
        let maximum = try header.u16("maxVersion")
        try FieldReader.check(UInt64(minimum), from: 1, through: UInt64(maximum), header.position("minVersion", at: 50))
        try header.reserved(2)
        let text = try metadata.string("text", limit: WireConstants.maxTextBytes)
        return Refuse(
            worker: worker, reason: RefusalReason(rawValue: reason), text: text,
            minimumVersion: minimum, maximumVersion: maximum)
    }
}
