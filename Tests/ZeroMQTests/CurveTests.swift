import Foundation
import Testing

@testable import ZeroMQ

@Suite struct CurveTests {
    @Test func z85RoundTripAndRejection() throws {
        let bytes: [UInt8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]
        #expect(try Z85.encode(bytes) == "HelloWorld")  // the RFC 32 test vector
        #expect(try Z85.decode("HelloWorld") == bytes)
        #expect(throws: ZMQUsageError.invalidZ85Length(3)) { try Z85.encode([1, 2, 3]) }
        #expect(throws: ZMQUsageError.self) { try Z85.decode("Hell") }
        #expect(throws: ZMQUsageError.self) { try Z85.decode("Hell\"World") }
    }

    @Test func keyPairsDeriveAndValidate() throws {
        let pair = try CurveKeyPair.generate()
        #expect(pair.publicKey.z85.utf8.count == 40)
        let derived = try CurveKeyPair(secretKey: pair.secretKey)
        #expect(derived.publicKey == pair.publicKey)
        #expect(try CurveKey(z85: pair.publicKey.z85) == pair.publicKey)
        #expect(throws: ZMQUsageError.self) { try CurveKey(bytes: [1, 2, 3]) }
        #expect(throws: ZMQUsageError.self) { try CurveKey(z85: "short") }
    }

    /// Starts a CURVE server (ROUTER) and returns it with its endpoint.
    func server(_ context: Context, _ keys: CurveKeyPair) throws -> (Socket, String) {
        let router = try context.socket(.router)
        try router.makeCurveServer(keys)
        try router.bind("tcp://127.0.0.1:*")
        return (router, try router.lastEndpoint)
    }

    @Test func clientWithTheRightServerKeyTalks() throws {
        let context = try Context()
        let serverKeys = try CurveKeyPair.generate()
        let (router, endpoint) = try server(context, serverKeys)
        let dealer = try context.socket(.dealer)
        try dealer.makeCurveClient(try CurveKeyPair.generate(), serverKey: serverKeys.publicKey)
        try dealer.connect(endpoint)
        try dealer.send("secret hello")
        try router.set(.receiveTimeout, .seconds(10))
        let frames = try #require(try router.receiveMultipart())
        #expect(frames.last?.text == "secret hello")
    }

    @Test func clientWithAWrongServerKeyGetsNothing() throws {
        let context = try Context()
        let serverKeys = try CurveKeyPair.generate()
        let (router, endpoint) = try server(context, serverKeys)
        let dealer = try context.socket(.dealer)
        try dealer.makeCurveClient(try CurveKeyPair.generate(), serverKey: try CurveKeyPair.generate().publicKey)
        try dealer.connect(endpoint)
        try dealer.send(multipart: [Array("should never arrive".utf8)], flags: .dontWait)
        try router.set(.receiveTimeout, .milliseconds(700))
        #expect(try router.receiveMultipart() == nil)
    }

    @Test func clientWithoutCurveGetsNothing() throws {
        let context = try Context()
        let (router, endpoint) = try server(context, try CurveKeyPair.generate())
        let dealer = try context.socket(.dealer)
        try dealer.connect(endpoint)
        try dealer.send(multipart: [Array("plain text".utf8)], flags: .dontWait)
        try router.set(.receiveTimeout, .milliseconds(700))
        #expect(try router.receiveMultipart() == nil)
    }
}
