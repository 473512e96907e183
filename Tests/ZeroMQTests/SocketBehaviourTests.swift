import Foundation
import Testing

@testable import ZeroMQ

@Suite struct SocketBehaviourTests {
    @Test func boundEndpointIsReadBack() throws {
        let context = try Context()
        let socket = try context.socket(.router)
        try socket.bind("tcp://127.0.0.1:*")
        let endpoint = try socket.lastEndpoint
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
        let port = Int(endpoint.split(separator: ":").last ?? "") ?? 0
        #expect(port > 0)
    }

    @Test func badEndpointErrorNamesIt() throws {
        let context = try Context()
        let socket = try context.socket(.pull)
        let error = try #require(throws: ZMQError.self) { try socket.bind("tcp://not a host:x") }
        #expect(error.endpoint == "tcp://not a host:x")
        #expect(error.operation == "zmq_bind")
        #expect(error.description.contains("tcp://not a host:x"))
        #expect(throws: ZMQError.self) { try socket.connect("bogus://nowhere") }
    }

    @Test func nonBlockingReceiveReturnsNilOnEAGAIN() throws {
        let context = try Context()
        let pull = try context.socket(.pull)
        try pull.bind("inproc://eagain")
        #expect(try pull.receiveFrame(dontWait: true) == nil)
        #expect(try pull.receiveMultipart(dontWait: true) == nil)
    }

    @Test func receiveTimeoutReturnsNilAfterTheTimeout() throws {
        let context = try Context()
        let pull = try context.socket(.pull)
        try pull.bind("inproc://timeout")
        try pull.set(.receiveTimeout, .milliseconds(100))
        let start = ContinuousClock.now
        #expect(try pull.receiveFrame() == nil)
        #expect(ContinuousClock.now - start >= .milliseconds(90))
    }

    @Test func optionsRoundTrip() throws {
        let context = try Context()
        let socket = try context.socket(.dealer)
        #expect(try socket.get(.linger) == .seconds(1))  // Trainyard's default, not libzmq's forever
        #expect(try socket.get(.sendHighWaterMark) == 64)
        try socket.set(.linger, nil)
        #expect(try socket.get(.linger) == nil)
        try socket.set(.receiveHighWaterMark, 10)
        #expect(try socket.get(.receiveHighWaterMark) == 10)
        try socket.set(.sendTimeout, .milliseconds(250))
        #expect(try socket.get(.sendTimeout) == .milliseconds(250))
        try socket.set(.maxMessageSize, 1 << 20)
        #expect(try socket.get(.maxMessageSize) == 1 << 20)
        try socket.set(.routingID, [7, 8, 9])
        #expect(try socket.get(.routingID) == [7, 8, 9])
        try socket.set(.immediate, true)
        #expect(try socket.get(.immediate) == true)
        try socket.set(.tcpKeepalive, 1)
        #expect(try socket.get(.tcpKeepalive) == 1)
        try socket.set(.heartbeatInterval, .milliseconds(500))
        try socket.set(.heartbeatTimeout, .milliseconds(1500))
        try socket.set(.heartbeatTTL, .milliseconds(2000))
        #expect(try socket.get(.heartbeatInterval) == .milliseconds(500))
        #expect(try socket.get(.heartbeatTimeout) == .milliseconds(1500))
        try socket.set(.reconnectInterval, .milliseconds(150))
        try socket.set(.reconnectIntervalMax, .seconds(3))
        #expect(try socket.get(.reconnectInterval) == .milliseconds(150))
        #expect(try socket.get(.reconnectIntervalMax) == .seconds(3))
    }

    @Test func receiveIntoBufferAndTruncation() throws {
        let context = try Context()
        let pull = try context.socket(.pull)
        let push = try context.socket(.push)
        try pull.bind("inproc://into")
        try push.connect("inproc://into")
        try push.send([1, 2, 3, 4])
        try push.send([UInt8](repeating: 9, count: 16))
        try pull.set(.receiveTimeout, .seconds(5))
        var buffer = [UInt8](repeating: 0, count: 8)
        let n = try buffer.withUnsafeMutableBytes { try pull.receive(into: $0) }
        #expect(n == 4)
        #expect(Array(buffer.prefix(4)) == [1, 2, 3, 4])
        #expect(throws: ZMQUsageError.truncated(received: 16, capacity: 8)) {
            try buffer.withUnsafeMutableBytes { try pull.receive(into: $0) }
        }
    }

    @Test func pollerReportsTheReadySocket() throws {
        let context = try Context()
        let a = try context.socket(.pull)
        let b = try context.socket(.pull)
        try a.bind("inproc://poll-a")
        try b.bind("inproc://poll-b")
        let pushB = try context.socket(.push)
        try pushB.connect("inproc://poll-b")
        let poller = Poller()
        try poller.add(a)
        try poller.add(b)
        #expect(try poller.poll(timeout: .milliseconds(20)).isEmpty)
        try pushB.send("wake")
        let ready = try poller.poll(timeout: .seconds(10))
        #expect(ready.map(\.index) == [1])
        #expect(ready.first?.events.contains(.readable) == true)
        #expect(try poller[1].receiveFrame()?.text == "wake")
    }

    @Test func closedSocketThrowsInsteadOfCrashing() throws {
        let context = try Context()
        let socket = try context.socket(.push)
        socket.close()
        #expect(throws: ZMQError.self) { try socket.send("x") }
        #expect(throws: ZMQError.self) { try socket.bind("inproc://closed") }
    }

    @Test func libzmqIsVersion4_3OrNewer() {
        let v = libzmqVersion
        #expect(v.major == 4 && v.minor >= 3)
    }
}
