import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers inference requests on the event loop that read them, inside the connection's channel
/// pipeline (Hummingbird's `additionalChannelHandlers`, after HTTP decoding).
///
/// Through Hummingbird's responder every request crosses into an async task and back: the
/// inbound stream, a `Request` and `Response`, the responder chain. For a single-row
/// prediction that bridging was most of the server's time; the scoring itself, the same
/// ``InferenceServer/answer(name:version:headerLength:body:started:)`` either way, is a small
/// part (docs/benchmarks-history.md, serving).
///
/// It takes `POST /v2/models/{name}[/versions/{version}]/infer` only when nothing is pending
/// on the connection and the request carries no `Connection` or `Expect` header; everything
/// else — other routes, HTTP/1.0-style connection handling, `Expect: 100-continue`, and any
/// request pipelined behind one still being answered by Hummingbird — passes through
/// untouched, so the answers keep the requests' order. A body over the size limit is read and
/// dropped (its length never allocated) and answered 413, as the router does.
final class InferenceFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum State {
        case idle
        /// A request for the router: its parts pass through.
        case forwarding
        case collecting(
            name: String, version: String?, headerLength: String?, body: ByteBuffer?, started: ContinuousClock.Instant)
        case tooLarge(name: String, version: String?, started: ContinuousClock.Instant)
    }

    private let server: InferenceServer
    private let serverName: String
    private var state = State.idle
    /// Requests handed to the router whose answers have not been written yet.
    private var routed = 0
    private var dateSecond = -1
    private var date = ""

    init(server: InferenceServer, serverName: String) {
        self.server = server
        self.serverName = serverName
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), state) {
        case (.head(let request), .idle):
            guard routed == 0, request.method == .post, request.headerFields[.connection] == nil,
                request.headerFields[.expect] == nil, let path = request.path,
                let (name, version) = InferenceResponder.inferTarget(path)
            else {
                routed += 1
                state = .forwarding
                context.fireChannelRead(data)
                return
            }
            let started = ContinuousClock.now
            let limit = server.settings.maximumBodyBytes
            if let length = request.headerFields[.contentLength].flatMap({ Int($0) }), length > limit {
                state = .tooLarge(name: name, version: version, started: started)
            } else {
                state = .collecting(
                    name: name, version: version, headerLength: request.headerFields[InferenceServer.headerLengthField],
                    body: nil, started: started)
            }
        case (.body(var chunk), .collecting(let name, let version, let headerLength, var body, let started)):
            state = .idle  // the buffer is uniquely referenced while it grows
            if body == nil {
                body = chunk
            } else {
                body!.writeBuffer(&chunk)
            }
            state =
                body!.readableBytes > server.settings.maximumBodyBytes
                ? .tooLarge(name: name, version: version, started: started)
                : .collecting(name: name, version: version, headerLength: headerLength, body: body, started: started)
        case (.body, .tooLarge):
            break
        case (.end, .collecting(let name, let version, let headerLength, let body, let started)):
            state = .idle
            write(
                server.answer(
                    name: name, version: version, headerLength: headerLength, body: body ?? ByteBuffer(),
                    started: started), context: context)
        case (.end, .tooLarge(let name, let version, let started)):
            state = .idle
            write(
                server.answer(name: name, version: version, headerLength: nil, body: nil, started: started),
                context: context)
        case (.end, .forwarding):
            state = .idle
            context.fireChannelRead(data)
        case (_, .forwarding):
            context.fireChannelRead(data)
        default:
            // Parts out of order cannot come from the HTTP decoder; let the router see them.
            context.fireChannelRead(data)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), routed > 0 { routed -= 1 }
        context.write(data, promise: promise)
    }

    private func write(_ answer: InferenceServer.Answer, context: ChannelHandlerContext) {
        var headers = answer.headers
        headers[.contentLength] = String(answer.body.readableBytes)
        headers[.date] = httpDate()
        headers[.server] = serverName
        context.write(wrapOutboundOut(.head(HTTPResponse(status: answer.status, headerFields: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(answer.body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    /// The `Date` header (RFC 9110 IMF-fixdate), formatted once a second.
    private func httpDate() -> String {
        var now = time(nil)
        guard Int(now) != dateSecond else { return date }
        var parts = tm()
        gmtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 40)
        let count = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        dateSecond = Int(now)
        date = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return date
    }
}
