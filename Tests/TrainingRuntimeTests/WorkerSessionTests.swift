import GradientCore
import Testing
import TrainingProtocol

@testable import TrainingRuntime

/// The worker's state machine on a made-up clock, without sockets.
@Suite struct WorkerSessionTests {
    let digest = ContentDigest(bytes: Array(repeating: 7, count: 32))!

    /// A session accepted at time 0 with a 0.5 s heartbeat interval and a 2 s timeout.
    func session(giveUpAfter: Double = 1, parameterCount: UInt64 = 3) -> WorkerSession {
        let accept = Accept(
            worker: .random(), workerIndex: 0, heartbeatIntervalMilliseconds: 500, heartbeatTimeoutMilliseconds: 2000,
            parameterCount: parameterCount, parameterVersion: 1, datasetDigest: digest, configDigest: digest,
            jobConfiguration: "{}")
        return WorkerSession(accept: accept, giveUpAfter: giveUpAfter, now: 0)
    }

    func assignment(step: UInt64, version: UInt64, mode: TrainingMode = .sync) -> WorkAssignment {
        WorkAssignment(
            step: step, parameterVersion: version, epoch: 0, microShardsPerBatch: 1, mode: mode,
            localSteps: mode == .localSGD ? 1 : 0, datasetDigest: digest,
            microShards: [MicroShard(index: 0, rowStart: 0, rowCount: 4)])
    }

    func broadcast(_ version: UInt64) -> ParameterBroadcast {
        ParameterBroadcast(version: version, step: version - 1, parameters: FloatPayload([Float(version), 0, 1]))
    }

    /// A session that has received version `version`.
    func session(having version: UInt64) -> WorkerSession {
        var s = session()
        _ = s.handle(.broadcast(broadcast(version)), now: 0)
        return s
    }

    /// The messages the commands send, in order (goodbyes included).
    func sent(_ commands: [WorkerSessionCommand]) -> [Message] {
        commands.compactMap {
            switch $0 {
            case .send(let message): message
            case .sayGoodbye(let shutdown): .shutdown(shutdown)
            default: nil
            }
        }
    }

    /// The computations asked for: step and the version computed against.
    func computations(_ commands: [WorkerSessionCommand]) -> [(step: UInt64, version: UInt64)] {
        commands.compactMap {
            switch $0 {
            case .computeGradients(let a, let p), .computeRound(let a, let p): (a.step, p.version)
            default: nil
            }
        }
    }

    func end(_ commands: [WorkerSessionCommand]) -> WorkerSessionEnd? {
        commands.lazy.compactMap { if case .end(let end) = $0 { end } else { nil } }.first
    }

    func catchUps(_ commands: [WorkerSessionCommand]) -> [UInt64] {
        sent(commands).compactMap { if case .catchUpRequest(let r) = $0 { r.haveVersion } else { nil } }
    }

    @Test func heartbeatsGoAtTheAcceptedInterval() {
        var s = session(having: 4)
        var beats: [(at: Double, Heartbeat)] = []
        for t in [0, 0.2, 0.49, 0.5, 0.9, 1.0, 1.2] {
            for case .heartbeat(let h) in sent(s.handle(.tick, now: t)) { beats.append((t, h)) }
        }
        #expect(beats.map(\.at) == [0, 0.5, 1.0])
        #expect(beats.map(\.1.sequence) == [1, 2, 3])
        #expect(beats.allSatisfy { $0.1.lastParameterVersion == 4 })
        #expect(s.pollMilliseconds == 100)
    }

    @Test func theNextVersionIsAwaitedForTheGracePeriodThenAskedFor() {
        var s = session(having: 1)
        let find = s.handle(.control(.workAssignment(assignment(step: 1, version: 2))), now: 1)
        guard case .findParameters(let version) = find.first, find.count == 1 else {
            Issue.record("expected the loop to look for version 2, got \(find)")
            return
        }
        #expect(version == 2)
        #expect(
            s.handle(.parametersSought(2, receivesBroadcasts: true), now: 1).isEmpty,
            "the broadcast is probably on its way")
        #expect(s.broadcastGrace == 0.25)
        #expect(s.handle(.inboxEmpty, now: 1.2).isEmpty)
        #expect(catchUps(s.handle(.inboxEmpty, now: 1.25)) == [1])
        #expect(s.handle(.inboxEmpty, now: 1.4).isEmpty)
        #expect(catchUps(s.handle(.inboxEmpty, now: 1.5)) == [1], "again every grace period")
        #expect(s.catchUpRequests == 2)
        _ = s.handle(.control(.parameterBroadcast(broadcast(2))), now: 1.6)
        let work = s.handle(.inboxEmpty, now: 1.6)
        #expect(computations(work).map(\.step) == [1] && computations(work).map(\.version) == [2])
        #expect(catchUps(s.handle(.inboxEmpty, now: 2)).isEmpty)
    }

    @Test func aLargeModelGetsALongerGrace() {
        #expect(WorkerSession.broadcastGrace(parameterCount: 100_000_000) == 4)
        #expect(session(parameterCount: 50_000_000).broadcastGrace == 2)
    }

    @Test func aVersionMissedByMoreThanOneIsAskedForAtOnce() {
        var s = session(having: 1)
        _ = s.handle(.control(.workAssignment(assignment(step: 2, version: 3))), now: 1)
        #expect(catchUps(s.handle(.parametersSought(3, receivesBroadcasts: true), now: 1)) == [1])

        var fresh = session()
        _ = fresh.handle(.control(.workAssignment(assignment(step: 0, version: 1))), now: 0)
        #expect(
            catchUps(fresh.handle(.parametersSought(1, receivesBroadcasts: true), now: 0)) == [0],
            "no parameters at all")

        var attached = session(having: 1)
        _ = attached.handle(.control(.workAssignment(assignment(step: 1, version: 2))), now: 1)
        #expect(
            catchUps(attached.handle(.parametersSought(2, receivesBroadcasts: false), now: 1)) == [1],
            "no broadcast comes to a worker reading shared memory")
    }

    @Test func aVersionHeldInPlaceIsComputedWithoutAsking() {
        var s = session(having: 1)
        _ = s.handle(.control(.workAssignment(assignment(step: 1, version: 2))), now: 1)
        _ = s.handle(.parametersInPlace(2), now: 1)
        #expect(s.handle(.parametersSought(2, receivesBroadcasts: false), now: 1).isEmpty)
        let work = s.handle(.inboxEmpty, now: 1)
        guard case .computeGradients(_, let parameters) = work.first else {
            Issue.record("expected a computation, got \(work)")
            return
        }
        #expect(parameters.version == 2 && parameters.values == nil)
        #expect(s.sharedParameterReads == 1)
    }

    @Test func aSupersededSyncAssignmentIsSkipped() {
        var s = session(having: 1)
        _ = s.handle(.control(.workAssignment(assignment(step: 1, version: 1))), now: 1)
        _ = s.handle(.broadcast(broadcast(2)), now: 1)
        _ = s.handle(.control(.workAssignment(assignment(step: 2, version: 2))), now: 1)
        let work = s.handle(.inboxEmpty, now: 1)
        #expect(computations(work).map(\.step) == [2])
        #expect(s.pending.isEmpty)

        var async = session(having: 1)
        _ = async.handle(.control(.workAssignment(assignment(step: 1, version: 1, mode: .async))), now: 1)
        _ = async.handle(.broadcast(broadcast(2)), now: 1)
        let fresher = async.handle(.inboxEmpty, now: 1)
        #expect(
            computations(fresher).map(\.step) == [1] && computations(fresher).map(\.version) == [2],
            "async work uses the newer parameters")
    }

    @Test func resultsAreSentInOrderAndCounted() {
        var s = session(having: 1)
        _ = s.handle(.control(.workAssignment(assignment(step: 1, version: 1))), now: 1)
        _ = s.handle(.control(.workAssignment(assignment(step: 2, version: 1, mode: .async))), now: 1)
        #expect(computations(s.handle(.inboxEmpty, now: 1)).map(\.step) == [1])
        #expect(s.isComputing)
        let shared = GradientResult(
            step: 1, parameterVersion: 1, exampleCount: 4, lossSum: 1, microShards: 0..<1,
            microShardsPerBatch: 1, gradientSum: .notCarried(count: 3), sharedSlot: 0)
        let next = s.handle(.gradientsComputed([shared]), now: 1)
        #expect(sent(next) == [.gradientResult(shared)])
        #expect(!next.contains { if case .prefetch = $0 { true } else { false } }, "more work is queued")
        #expect(computations(next).map(\.step) == [2])
        let framed = GradientResult(
            step: 2, parameterVersion: 1, exampleCount: 4, lossSum: 1, microShards: 0..<1,
            microShardsPerBatch: 1, gradientSum: FloatPayload([1, 2, 3]))
        let last = s.handle(.gradientsComputed([framed]), now: 1)
        #expect(sent(last) == [.gradientResult(framed)])
        #expect(last.contains { if case .prefetch(let a) = $0 { a.step == 2 } else { false } })
        #expect(s.resultsSent == 2 && s.sharedResults == 1 && !s.isComputing)
    }

    @Test func parametersLostDuringTheComputationAreAskedFor() {
        var s = session()
        _ = s.handle(.parametersInPlace(1), now: 0)
        _ = s.handle(.control(.workAssignment(assignment(step: 0, version: 1))), now: 0)
        #expect(computations(s.handle(.inboxEmpty, now: 0)).map(\.step) == [0])
        #expect(catchUps(s.handle(.parametersLost, now: 0)) == [0])
        #expect(s.parameters == nil && s.pending.map(\.step) == [0])
        _ = s.handle(.control(.parameterBroadcast(broadcast(1))), now: 0.1)
        #expect(computations(s.handle(.inboxEmpty, now: 0.1)).map(\.step) == [0], "the work is done once they arrive")
    }

    @Test func nonFiniteValuesAreReportedAndPendingWorkDropped() {
        var s = session(having: 1)
        _ = s.handle(.control(.workAssignment(assignment(step: 5, version: 1, mode: .async))), now: 1)
        _ = s.handle(.control(.workAssignment(assignment(step: 6, version: 1, mode: .async))), now: 1)
        #expect(computations(s.handle(.inboxEmpty, now: 1)).map(\.step) == [5])
        let failed = s.handle(.computationFailed(.nonFinite(what: "loss", index: 0)), now: 1)
        guard case .error(let report)? = sent(failed).first, sent(failed).count == 1 else {
            Issue.record("expected one error report, got \(failed)")
            return
        }
        #expect(report.code == .nonFiniteValues && report.step == 5)
        #expect(failed.contains { if case .log(.error, _) = $0 { true } else { false } })
        #expect(s.pending.isEmpty && computations(failed).isEmpty)
        #expect(s.handle(.inboxEmpty, now: 1.1).isEmpty, "the worker waits for the coordinator's shutdown")
        #expect(s.resultsSent == 0)
    }

    @Test func removalAndForgettingLeadToRejoiningOtherEndsExit() {
        var s = session(having: 1)
        #expect(
            end(s.handle(.control(.shutdown(Shutdown(reason: .removed, text: "stalled"))), now: 1))
                == .rejoin("stalled"))
        #expect(
            end(s.handle(.control(.error(ErrorReport(code: .notRegistered, step: 3, text: "who?"))), now: 1))
                == .rejoin("who?"))
        #expect(end(s.handle(.control(.error(ErrorReport(code: .unknownDataset, step: 3, text: "no"))), now: 1)) == nil)
        #expect(
            end(s.handle(.control(.shutdown(Shutdown(reason: .jobFinished, text: "done"))), now: 1))
                == .exit(.shutdown(.jobFinished, "done")))
        #expect(
            end(s.handle(.control(.refuse(Refuse(worker: nil, reason: .jobFull, text: "full"))), now: 1))
                == .exit(.refused("\(RefusalReason.jobFull): full")))
    }

    @Test func coordinatorSilenceBeyondTheTimeoutEndsTheSession() {
        var s = session(giveUpAfter: 1)
        #expect(s.coordinatorTimeout == 2, "the accepted timeout, at least giveUpAfter")
        #expect(end(s.handle(.tick, now: 1.5)) == nil)
        _ = s.handle(.control(.heartbeat(Heartbeat(sequence: 1, lastParameterVersion: 1))), now: 1.5)
        #expect(end(s.handle(.tick, now: 3.5)) == nil, "the heartbeat at 1.5 s counted")
        _ = s.handle(.broadcast(broadcast(1)), now: 3.5)
        #expect(
            end(s.handle(.tick, now: 3.51)) == .exit(.coordinatorLost("no message from the coordinator for 2s")),
            "broadcasts are not the coordinator answering")
        #expect(session(giveUpAfter: 30).coordinatorTimeout == 30)
    }

    @Test func stopSaysGoodbyeAndExits() {
        var s = session(having: 1)
        let commands = s.handle(.stopRequested, now: 1)
        #expect(sent(commands) == [.shutdown(Shutdown(reason: .workerExiting, text: "worker stopped"))])
        guard case .sayGoodbye = commands.first else {
            Issue.record("the goodbye must go before the session ends")
            return
        }
        #expect(end(commands) == .exit(.stopped))
    }

    @Test func aRejectedResultCatchesUpToTheCurrentVersion() {
        var s = session(having: 1)
        let rejected = ResultRejected(step: 1, parameterVersion: 1, currentVersion: 4, reason: .stale)
        let commands = s.handle(.control(.resultRejected(rejected)), now: 1)
        #expect(commands.contains { if case .findParameters(4) = $0 { true } else { false } })
        #expect(catchUps(s.handle(.parametersSought(4, receivesBroadcasts: true), now: 1)) == [1])
    }
}
