import TrainingProtocol

/// Which workers are part of the job, and which have gone silent.
///
/// A plain value driven by events and an explicit clock (seconds, any origin), so it is tested
/// without sockets or sleeps. Workers keep the order in which they joined; that order decides
/// who gets which micro-shards.
package struct Membership: Sendable {
    /// One member.
    package struct Member: Sendable, Equatable {
        package let identity: WorkerIdentity
        /// The routing id to reach it on the coordinator's ROUTER socket.
        package let route: [UInt8]
        /// 0, 1, 2, … in order of joining; never reused within a job.
        package let index: Int
        package let hostName: String
        package let processID: UInt32
        package var lastHeard: Double
    }

    /// Why a registration was refused.
    package enum Refusal: Equatable, Sendable {
        case duplicateIdentity
    }

    /// A membership change, for logs and run events.
    package enum Event: Equatable, Sendable {
        case joined(WorkerIdentity, index: Int)
        case left(WorkerIdentity, index: Int, reason: String)
    }

    package let heartbeatTimeout: Double
    package private(set) var members: [Member] = []
    private var nextIndex = 0
    /// Identities seen in this job, including departed ones: an identity is never admitted twice.
    private var seen: Set<WorkerIdentity> = []

    package init(heartbeatTimeout: Double) { self.heartbeatTimeout = heartbeatTimeout }

    /// Admits a new worker, or refuses one whose identity was already used in this job.
    package mutating func join(
        _ identity: WorkerIdentity, route: [UInt8], hostName: String, processID: UInt32,
        now: Double
    ) -> Result<Member, RefusalError> {
        guard !seen.contains(identity) else { return .failure(RefusalError(refusal: .duplicateIdentity)) }
        seen.insert(identity)
        let member = Member(
            identity: identity, route: route, index: nextIndex, hostName: hostName,
            processID: processID, lastHeard: now)
        nextIndex += 1
        members.append(member)
        return .success(member)
    }

    /// Records that a member was heard from (any message counts as a heartbeat).
    package mutating func heard(from identity: WorkerIdentity, now: Double) {
        if let i = members.firstIndex(where: { $0.identity == identity }) { members[i].lastHeard = now }
    }

    /// The member with this routing id, if any.
    package func member(route: [UInt8]) -> Member? { members.first { $0.route == route } }

    /// The member with this identity, if any.
    package func member(_ identity: WorkerIdentity) -> Member? { members.first { $0.identity == identity } }

    /// Removes a member (it said goodbye, or the coordinator gave up on it).
    @discardableResult
    package mutating func remove(_ identity: WorkerIdentity, reason: String) -> Event? {
        guard let i = members.firstIndex(where: { $0.identity == identity }) else { return nil }
        let member = members.remove(at: i)
        return .left(identity, index: member.index, reason: reason)
    }

    /// Removes every member not heard from for longer than the timeout; returns the events.
    package mutating func expire(now: Double) -> [Event] {
        let silent = members.filter { now - $0.lastHeard > heartbeatTimeout }
        return silent.compactMap { member in
            let seconds = (now - member.lastHeard).rounded(toPlaces: 1)
            return remove(member.identity, reason: "no heartbeat for \(seconds)s (timeout \(heartbeatTimeout)s)")
        }
    }

    /// When the next member expires if nothing is heard from it (its last message + the timeout);
    /// nil without members. The coordinator wakes then, so removal is not late.
    package var nextExpiry: Double? { members.map(\.lastHeard).min().map { $0 + heartbeatTimeout } }

    /// Identities in joining order.
    package var order: [WorkerIdentity] { members.map(\.identity) }
}

/// A refused registration, as an Error for `Result`.
package struct RefusalError: Error, Equatable, Sendable {
    package let refusal: Membership.Refusal
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}
