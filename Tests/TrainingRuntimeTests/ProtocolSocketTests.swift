import Foundation
import Testing
import TrainingProtocol
import ZeroMQ

@testable import TrainingRuntime

/// The transport layer over real sockets: envelopes round-trip, garbage is reported, not trusted.
@Suite struct ProtocolSocketTests {
    @Test func registrationRoundTripsOverTCPAndGarbageIsDropped() throws {
        let context = try Context()
        let job = JobID.random()
        let routerSocket = try context.socket(.router)
        try routerSocket.bind("tcp://127.0.0.1:*")
        try routerSocket.set(.receiveTimeout, .seconds(10))
        let coordinator = ProtocolSocket(routerSocket, context: DecodingContext(receiver: .coordinator, jobID: job))

        let dealerSocket = try context.socket(.dealer)
        try dealerSocket.connect(try routerSocket.lastEndpoint)
        let worker = ProtocolSocket(dealerSocket, context: DecodingContext(receiver: .worker, jobID: nil))
        let identity = WorkerIdentity.random()
        let register = Register(
            worker: identity, processID: 42, threads: 1, capabilities: [.datasetStore],
            hostName: "host-a", cachedDatasets: [])
        #expect(try worker.send(Envelope(jobID: job, message: .register(register))))

        guard case .message(let envelope, let sender)? = try coordinator.receive() else {
            Issue.record("no registration received")
            return
        }
        #expect(envelope.message == .register(register))
        #expect(sender != nil)

        // Random bytes and a truncated header are reported as invalid, with the sender.
        try dealerSocket.send([0xde, 0xad, 0xbe, 0xef, 1, 2, 3])
        guard case .invalid(_, let badSender, let frames)? = try coordinator.receive() else {
            Issue.record("garbage was not reported")
            return
        }
        #expect(badSender == sender)
        #expect(frames == 1)
        let valid = try Envelope(jobID: job, message: .register(register)).encode()
        try dealerSocket.send(Array(valid.frame(at: 0).prefix(20)))
        if case .message? = try coordinator.receive() { Issue.record("a truncated header was accepted") }

        // A message for another job is refused by validation.
        try worker.send(Envelope(jobID: JobID.random(), message: .register(register)))
        if case .message? = try coordinator.receive() { Issue.record("another job's message was accepted") }
    }
}
