import JobConfiguration
import TrainingProtocol

/// Tracks how long each worker takes for its share of a step (or round) and names the workers
/// that are far slower than the median.
///
/// A worker's share time runs from when it was given work to when its own result completed that
/// work. A running worker is a straggler when its time so far exceeds both `factor` × the median
/// of the workers' latest share times and `floor` seconds (so that jitter on millisecond steps is
/// not reported). Each worker is reported at most once per step. A plain value with an explicit
/// clock.
package struct StragglerDetector: Sendable {
    package let factor: Double
    package let floor: Double
    private var latest: [WorkerIdentity: Double] = [:]
    private var running: [WorkerIdentity: Double] = [:]
    private var reported: Set<WorkerIdentity> = []

    package init(factor: Double, floor: Double) {
        self.factor = factor
        self.floor = floor
    }

    /// A new step begins: nobody has been reported for it yet.
    package mutating func beginStep() { reported = [] }

    /// `worker` was given work at `now` (ignored if it is already running).
    package mutating func began(_ worker: WorkerIdentity, now: Double) {
        if running[worker] == nil { running[worker] = now }
    }

    /// `worker`'s own result completed its work at `now`: its share time is recorded.
    package mutating func finished(_ worker: WorkerIdentity, now: Double) {
        guard let start = running.removeValue(forKey: worker) else { return }
        latest[worker] = now - start
    }

    /// `worker` has nothing left to do, but not through its own result (others finished its work,
    /// or it left): no time is recorded.
    package mutating func abandoned(_ worker: WorkerIdentity) { running[worker] = nil }

    /// Workers currently running.
    package var runningWorkers: [WorkerIdentity] { Array(running.keys) }

    /// The median of the latest share times of `members`; nil until two of them have one.
    package func median(of members: [WorkerIdentity]) -> Double? {
        let times = members.compactMap { latest[$0] }.sorted()
        guard times.count >= 2 else { return nil }
        let mid = times.count / 2
        return times.count.isMultiple(of: 2) ? (times[mid - 1] + times[mid]) / 2 : times[mid]
    }

    /// Running workers of `members` that have just become stragglers, with their elapsed time
    /// and the median; each is reported once per step.
    package mutating func stragglers(among members: [WorkerIdentity], now: Double)
        -> [(worker: WorkerIdentity, elapsed: Double, median: Double)]
    {
        guard let median = median(of: members) else { return [] }
        let limit = max(factor * median, floor)
        var found: [(WorkerIdentity, Double, Double)] = []
        for worker in members where !reported.contains(worker) {
            guard let start = running[worker], now - start > limit else { continue }
            reported.insert(worker)
            found.append((worker, now - start, median))
        }
        return found
    }
}

/// A straggler found now, and (policy `reassign`) its unfinished work units and who should get
/// copies of them: the other workers with nothing to do, or all others when none is idle.
struct StragglerPlan {
    let member: Membership.Member
    let elapsed: Double
    let median: Double
    let copy: [Int]
    let helpers: [WorkerIdentity]

    var report: StragglerReport {
        StragglerReport(
            worker: member.identity, index: member.index, elapsed: elapsed, median: median,
            reassigned: helpers.isEmpty ? 0 : copy.count)
    }
}

extension StragglerDetector {
    /// The stragglers among `membership`'s workers now; `pending` gives a worker's unfinished work units.
    mutating func plans(
        _ membership: Membership, policy: JobConfig.Cluster.StragglerPolicy, now: Double,
        pending: (WorkerIdentity) -> [Int]
    ) -> [StragglerPlan] {
        stragglers(among: membership.order, now: now).compactMap { worker, elapsed, median in
            guard let member = membership.member(worker) else { return nil }
            let copy = policy == .reassign ? pending(worker) : []
            let others = membership.order.filter { $0 != worker }
            let idle = others.filter { pending($0).isEmpty }
            return StragglerPlan(
                member: member, elapsed: elapsed, median: median, copy: copy,
                helpers: copy.isEmpty ? [] : (idle.isEmpty ? others : idle))
        }
    }
}
