import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus

/// `GET /metrics` alone, on its own port, for processes that are not inference servers (the
/// training coordinator). Runs on a background task; the caller's thread goes on.
package enum MetricsEndpoint {
    /// Binds `host:port` (0: any free port) and serves `registry` there until the process exits.
    /// - Returns: the bound port.
    /// - Throws: ``InferenceError`` when the address cannot be bound within 10 s.
    package static func start(registry: PrometheusCollectorRegistry, host: String, port: Int, logger: Logger) throws
        -> Int
    {
        let bound = BoundPort()
        let router = Router()
        router.get("/metrics") { _, _ in
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in bound.set(.success(channel.localAddress?.port ?? port)) },
            logger: logger)
        Task.detached {
            do {
                // No signal handling here: the process that embeds the endpoint owns SIGINT/SIGTERM.
                try await app.runService(gracefulShutdownSignals: [])
            } catch {
                bound.set(.failure(InferenceError(500, "cannot serve metrics on \(host):\(port): \(error)")))
            }
        }
        return try bound.wait(seconds: 10, what: "\(host):\(port)")
    }

    /// The port once bound, handed from the server task to the caller.
    private final class BoundPort: @unchecked Sendable {
        private let lock = NSLock()
        private let ready = DispatchSemaphore(value: 0)
        private var result: Result<Int, InferenceError>?

        func set(_ value: Result<Int, InferenceError>) {
            let first = lock.withLock { () -> Bool in
                guard result == nil else { return false }
                result = value
                return true
            }
            if first { ready.signal() }
        }

        func wait(seconds: Double, what: String) throws -> Int {
            guard ready.wait(timeout: .now() + seconds) == .success, let result = lock.withLock({ result }) else {
                throw InferenceError(500, "metrics endpoint \(what) did not start within \(Int(seconds)) s")
            }
            return try result.get()
        }
    }
}
