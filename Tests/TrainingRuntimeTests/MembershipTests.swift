import Testing
import TrainingProtocol

@testable import TrainingRuntime

@Suite struct MembershipTests {
    let a = WorkerIdentity(bytes: Array(repeating: 1, count: 16))!
    let b = WorkerIdentity(bytes: Array(repeating: 2, count: 16))!

    @Test func membersKeepJoinOrderAndIndicesAreNeverReused() throws {
        var m = Membership(heartbeatTimeout: 5)
        let first = try m.join(a, route: [1], hostName: "h", processID: 10, now: 0).get()
        let second = try m.join(b, route: [2], hostName: "h", processID: 11, now: 1).get()
        #expect(first.index == 0 && second.index == 1)
        #expect(m.order == [a, b])
        #expect(m.remove(a, reason: "bye") == .left(a, index: 0, reason: "bye"))
        #expect(m.order == [b])
        // A departed identity cannot come back under the same name (stale worker of this job).
        #expect(throws: RefusalError.self) { try m.join(a, route: [3], hostName: "h", processID: 12, now: 2).get() }
        #expect(m.member(route: [2])?.identity == b)
    }

    @Test func silentMembersExpireAfterTheTimeout() throws {
        var m = Membership(heartbeatTimeout: 5)
        _ = try m.join(a, route: [1], hostName: "h", processID: 1, now: 0).get()
        _ = try m.join(b, route: [2], hostName: "h", processID: 2, now: 0).get()
        #expect(m.nextExpiry == 5)
        m.heard(from: b, now: 4)
        #expect(m.nextExpiry == 5, "a is still the first to expire")
        #expect(m.expire(now: 5).isEmpty)  // exactly the timeout: still in
        let events = m.expire(now: 6)
        #expect(events.count == 1)
        if case .left(let who, let index, let reason) = events.first {
            #expect(who == a && index == 0)
            #expect(reason.contains("no heartbeat for 6.0s"))
        } else {
            Issue.record("expected a departure")
        }
        #expect(m.order == [b])
        #expect(m.nextExpiry == 9)
        m.remove(b, reason: "bye")
        #expect(m.nextExpiry == nil)
    }
}

@Suite struct BatchScheduleTests {
    @Test func batchesAndMicroShardsCoverEveryRowOnce() {
        let s = BatchSchedule(rows: 1003, batchSize: 100, microShards: 16)
        #expect(s.stepsPerEpoch == 11)
        #expect(s.position(ofStep: 23) == (epoch: 2, batch: 1))
        var seen = [Int](repeating: 0, count: 1003)
        for batch in 0..<s.stepsPerEpoch {
            var previousEnd = s.batchRows(batch).lowerBound
            for leaf in 0..<s.leafCount(ofBatch: batch) {
                let r = s.leafRows(batch: batch, leaf: leaf)
                #expect(r.lowerBound == previousEnd)
                #expect(!r.isEmpty)
                previousEnd = r.upperBound
                for row in r { seen[row] += 1 }
            }
            #expect(previousEnd == s.batchRows(batch).upperBound)
        }
        #expect(seen.allSatisfy { $0 == 1 })
        #expect(s.leafCount(ofBatch: 10) == 3)  // the 3-row final batch has 3 micro-shards
    }
}
