/// The side of a connection: the coordinator (ROUTER + PUB) or a worker (DEALER + SUB).
package enum Role: String, Sendable, Hashable {
    case coordinator
    case worker
}

/// The message kind byte at header offset 22; it fixes the message's frame layout.
///
/// The code of ``refuse`` (3) and its layout are frozen across protocol versions so that
/// a peer of any version can read why it was refused. Codes 11 and 12 are reserved (they once
/// named evaluation messages that were never sent): a frame with either is refused as an
/// unknown kind, like any other unassigned code.
package enum MessageKind: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case register = 1
    case accept = 2
    case refuse = 3
    case heartbeat = 4
    case workAssignment = 5
    case dataChunkRequest = 6
    case dataChunk = 7
    case parameterBroadcast = 8
    case catchUpRequest = 9
    case gradientResult = 10
    case localSGDResult = 13
    case shutdown = 14
    case error = 15
    case resultRejected = 16
    case sharedMemoryOffer = 17

    /// The exact size in bytes of this kind's header frame (frame 0).
    package var headerSize: Int {
        switch self {
        case .register: 64
        case .accept: 144
        case .refuse: 56
        case .heartbeat: 48
        case .workAssignment: 96
        case .dataChunkRequest: 80
        case .dataChunk: 88
        case .parameterBroadcast: 56
        case .catchUpRequest: 40
        case .gradientResult: 88
        case .localSGDResult: 80
        case .shutdown: 40
        case .error: 48
        case .resultRejected: 64
        case .sharedMemoryOffer: 48
        }
    }

    /// True when frame 1 is a metadata frame (strings and lists).
    package var hasMetadata: Bool {
        switch self {
        case .register, .accept, .refuse, .workAssignment, .shutdown, .error, .sharedMemoryOffer: true
        default: false
        }
    }

    /// Whether `role` may receive this kind.
    package func isReceivable(by role: Role) -> Bool {
        switch self {
        case .heartbeat, .shutdown, .error: true
        case .register, .dataChunkRequest, .catchUpRequest, .gradientResult, .localSGDResult,
            .sharedMemoryOffer:
            role == .coordinator
        case .accept, .refuse, .workAssignment, .dataChunk, .parameterBroadcast, .resultRejected:
            role == .worker
        }
    }

    /// The camel-case name used in docs and error messages.
    package var description: String {
        switch self {
        case .register: "register"
        case .accept: "accept"
        case .refuse: "refuse"
        case .heartbeat: "heartbeat"
        case .workAssignment: "workAssignment"
        case .dataChunkRequest: "dataChunkRequest"
        case .dataChunk: "dataChunk"
        case .parameterBroadcast: "parameterBroadcast"
        case .catchUpRequest: "catchUpRequest"
        case .gradientResult: "gradientResult"
        case .localSGDResult: "localSGDResult"
        case .shutdown: "shutdown"
        case .error: "error"
        case .resultRejected: "resultRejected"
        case .sharedMemoryOffer: "sharedMemoryOffer"
        }
    }
}
