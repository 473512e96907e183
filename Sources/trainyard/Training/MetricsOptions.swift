import ArgumentParser
import TrainyardKit

/// `--metrics-port` and `--metrics-host` of the commands that run a coordinator.
struct MetricsOptions: ParsableArguments {
    @Option(name: .long, help: "Serve the coordinator's Prometheus /metrics on this port (0: any free port).")
    var metricsPort: Int?

    @Option(name: .long, help: "Address for --metrics-port.")
    var metricsHost = "127.0.0.1"

    func validate() throws {
        if let metricsPort, !(0...65535).contains(metricsPort) {
            throw ValidationError("--metrics-port must be 0...65535")
        }
    }

    /// Where to serve the coordinator's metrics, if anywhere.
    var address: (host: String, port: Int)? { metricsPort.map { (metricsHost, $0) } }
}
