import ArgumentParser
import Foundation
import Logging
import ModelPackage
import ModelServer
import TrackingStore
import TrainyardKit

/// `trainyard serve NAME@ALIAS ...`: the Open Inference Protocol over HTTP.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract:
            "Serve models over the Open Inference Protocol (KServe v2 / Triton REST), with metrics and drift alerts.",
        discussion: """
            Each model takes one input, `input` (FP32 [rows, features], the encoded features in \
            the order of `GET /v2/models/NAME`'s feature_names), and answers `probabilities` and \
            `label` (classifiers) or `prediction` (regressors). JSON and the binary tensor \
            extension both work. When an alias moves (`models alias`, `models rollback`) the \
            server switches within --reload-interval without failing a request. `GET /metrics` \
            is Prometheus text; `GET /v2/models/NAME/drift` compares recent inputs with the \
            training data.
            """)

    @Argument(help: "Models to serve: NAME@ALIAS, NAME/VERSION, models:/… or package directories.")
    var models: [String]

    @Option(name: .long, help: "Address to bind.") var host = "127.0.0.1"
    @Option(name: .long, help: "Port (0: any free port; the one chosen is printed).") var port = 8000
    @Option(name: .long, help: "Largest request body in bytes (larger: 413).") var maxBodyBytes = 16 << 20
    @Option(name: .long, help: "Seconds between alias checks (hot reload).") var reloadInterval = 1.0
    @Option(name: .long, help: "Rows kept per model for drift detection.") var driftWindow = 1000
    @Option(name: .long, help: "Evaluate drift every N scored rows.") var driftEvery = 200
    @Option(name: .long, help: "Rows needed before the first drift evaluation.") var driftMinRows = 200
    @Option(name: .long, help: "Raise the drift alert when this share of features drifted.") var driftAlertShare = 0.3
    @Option(name: .long, help: "Clear it when the share falls to this or below.") var driftClearShare = 0.1
    @Option(name: .long, help: "POST drift alerts (JSON) to this http(s) URL.") var webhook: String?
    @Option(name: .long, help: "Event-loop threads, which also run the handlers (default: one per core).") var threads:
        Int?

    func validate() throws {
        guard !models.isEmpty else { throw ValidationError("name at least one model") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads must be 1...256") }
        guard maxBodyBytes > 0, reloadInterval > 0, driftWindow > 0, driftEvery > 0, driftMinRows > 0 else {
            throw ValidationError("sizes and intervals must be positive")
        }
        guard (0...1).contains(driftAlertShare), (0...1).contains(driftClearShare), driftClearShare < driftAlertShare
        else {
            throw ValidationError("need 0 ≤ --drift-clear-share < --drift-alert-share ≤ 1")
        }
        if let webhook, URL(string: webhook)?.scheme.map({ $0 == "http" || $0 == "https" }) != true {
            throw ValidationError("--webhook must be an http(s) URL")
        }
    }

    /// Before anything asynchronous runs: handlers run on the event loops that read the requests.
    func prepareExecutor() {
        InferenceServer.runConcurrencyOnEventLoops(threads: threads)
    }

    func run() async throws {
        let home = TrainyardHome.fromEnvironment()
        let store = try TrackingAccess.open(home)
        var drift = DriftMonitor.Settings()
        drift.windowRows = driftWindow
        drift.evaluateEvery = driftEvery
        drift.minimumRows = min(driftMinRows, driftWindow)
        drift.alertShare = driftAlertShare
        drift.clearShare = driftClearShare
        let catalog: ModelCatalog
        do {
            catalog = try ModelCatalog(
                references: models, source: RegistrySource(home: home, store: store), drift: drift)
        } catch let error as InferenceError {
            throw BadInput(error.message)
        }
        var settings = InferenceServer.Settings()
        settings.host = host
        settings.port = port
        settings.maximumBodyBytes = maxBodyBytes
        settings.reloadInterval = .milliseconds(Int(reloadInterval * 1000))
        settings.serverVersion = BuildInfo.gitRevision ?? ""
        var logger = Logger(label: "trainyard.serve", factory: DeferredMetadataLogHandler.init)
        logger.logLevel = .notice
        let recorder = DriftRecorder(store: store, webhook: webhook.flatMap(URL.init(string:)), report: printError)
        let server = InferenceServer(catalog: catalog, settings: settings, logger: logger) { state, alert in
            recorder.handle(state, alert)
        }
        let served = catalog.all.map { "\($0.location.name)/\($0.location.version)" }.joined(separator: ", ")
        try await server.run { boundPort in
            printError(
                "serving \(served); listening on http://\(host):\(boundPort) (POST /v2/models/NAME/infer, GET /metrics)"
            )
        }
    }
}
