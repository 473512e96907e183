import Foundation
import Testing

@testable import ZeroMQ

/// Round trips for every classic socket pattern, over inproc and over TCP loopback.
@Suite struct PatternTests {
    static let transports = ["inproc", "tcp"]

    /// Binds `server` to a fresh endpoint of the transport and returns the endpoint to connect to.
    func bindAny(_ server: Socket, _ transport: String) throws -> String {
        if transport == "inproc" {
            let endpoint = "inproc://test-\(UUID().uuidString)"
            try server.bind(endpoint)
            return endpoint
        }
        try server.bind("tcp://127.0.0.1:*")
        return try server.lastEndpoint
    }

    func receiveText(_ socket: Socket) throws -> String? {
        try socket.set(.receiveTimeout, .seconds(10))
        return try socket.receiveFrame()?.text
    }

    @Test(arguments: transports)
    func pair(_ transport: String) throws {
        let context = try Context()
        let a = try context.socket(.pair)
        let b = try context.socket(.pair)
        try b.connect(try bindAny(a, transport))
        try b.send("ping")
        #expect(try receiveText(a) == "ping")
        try a.send("pong")
        #expect(try receiveText(b) == "pong")
    }

    @Test(arguments: transports)
    func pushPull(_ transport: String) throws {
        let context = try Context()
        let pull = try context.socket(.pull)
        let push = try context.socket(.push)
        try push.connect(try bindAny(pull, transport))
        for i in 0..<100 { try push.send("m\(i)") }
        for i in 0..<100 { #expect(try receiveText(pull) == "m\(i)") }
    }

    @Test(arguments: transports)
    func requestReply(_ transport: String) throws {
        let context = try Context()
        let rep = try context.socket(.reply)
        let req = try context.socket(.request)
        try req.connect(try bindAny(rep, transport))
        for i in 0..<3 {
            try req.send("question \(i)")
            #expect(try receiveText(rep) == "question \(i)")
            try rep.send("answer \(i)")
            #expect(try receiveText(req) == "answer \(i)")
        }
    }

    @Test(arguments: transports)
    func dealerRouter(_ transport: String) throws {
        let context = try Context()
        let router = try context.socket(.router)
        try router.set(.routerMandatory, true)
        try router.set(.receiveTimeout, .seconds(10))
        let dealer = try context.socket(.dealer)
        try dealer.set(.routingID, Array("worker-1".utf8))
        try dealer.connect(try bindAny(router, transport))
        try dealer.send(multipart: [Array("hello".utf8), [1, 2, 3]])
        let frames = try #require(try router.receiveMultipart())
        #expect(frames.map(\.bytes) == [Array("worker-1".utf8), Array("hello".utf8), [1, 2, 3]])
        try router.send(multipart: [Array("worker-1".utf8), Array("welcome".utf8)])
        #expect(try receiveText(dealer) == "welcome")
        // Router-mandatory: an unknown identity is an error, not a silent drop.
        #expect(throws: ZMQError.self) {
            try router.send(multipart: [Array("nobody".utf8), Array("x".utf8)])
        }
    }

    @Test(arguments: transports)
    func publishSubscribe(_ transport: String) throws {
        let context = try Context()
        let pub = try context.socket(.publisher)
        let sub = try context.socket(.subscriber)
        try sub.set(.subscribe, Array("job-A".utf8))
        try sub.connect(try bindAny(pub, transport))
        try sub.set(.receiveTimeout, .milliseconds(50))
        // Subscriptions propagate asynchronously ("slow joiner"): publish until one arrives.
        var received: [Frame]?
        for _ in 0..<400 where received == nil {
            try pub.send(multipart: [Array("job-B".utf8), Array("not for us".utf8)])
            try pub.send(multipart: [Array("job-A".utf8), Array("params".utf8)])
            received = try sub.receiveMultipart()
        }
        let frames = try #require(received)
        #expect(frames.map(\.text) == ["job-A", "params"])
        // Only the subscribed topic ever arrives.
        while let more = try sub.receiveMultipart(dontWait: true) {
            #expect(more.first?.text == "job-A")
        }
    }
}
