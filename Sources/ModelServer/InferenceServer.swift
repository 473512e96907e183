import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ModelPackage
import NIOCore

/// The Open Inference Protocol (KServe v2 / Triton REST) over HTTP for the models of a
/// ``ModelCatalog``, with `/metrics` and `/v2/models/{name}/drift`.
package struct InferenceServer: Sendable {
    package struct Settings: Sendable {
        package var host = "127.0.0.1"
        package var port = 8000
        /// Largest request body accepted; larger ones get 413.
        package var maximumBodyBytes = 16 << 20
        /// How often aliases are re-resolved (hot reload).
        package var reloadInterval: Duration = .seconds(1)
        package var serverVersion = ""
        package init() {}
    }

    let catalog: ModelCatalog
    let settings: Settings
    let metrics: ServerMetrics
    let logger: Logger
    /// Called with every drift evaluation and alert transition (log, webhook, tracking store).
    let onDrift: @Sendable (DriftState, DriftAlert?) -> Void
    /// Where drift evaluations run, off the request path.
    let driftWorker = DriftWorker()

    package init(
        catalog: ModelCatalog, settings: Settings, metrics: ServerMetrics = ServerMetrics(), logger: Logger,
        onDrift: @escaping @Sendable (DriftState, DriftAlert?) -> Void
    ) {
        self.catalog = catalog
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
        self.onDrift = onDrift
    }

    /// Serves until SIGINT or SIGTERM. `onListening` receives the bound port (useful with port 0).
    package func run(onListening: @escaping @Sendable (Int) -> Void) async throws {
        for model in catalog.all {
            metrics.loaded(model: model.location.name, version: model.location.version, current: true)
        }
        let app = Application(
            responder: InferenceResponder(server: self, router: makeRouter().buildResponder()),
            server: .http1(
                configuration: .init(additionalChannelHandlers: [
                    InferenceFastPath(server: self, serverName: "trainyard")
                ])),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "trainyard"),
            onServerRunning: { [self] channel in
                onListening(channel.localAddress?.port ?? settings.port)
                Task { await reloadLoop() }
            },
            logger: logger)
        try await app.runService()
    }

    private func reloadLoop() async {
        var lastFailure: [String: String] = [:]
        while !Task.isCancelled {
            try? await Task.sleep(for: settings.reloadInterval)
            // Alias lookups read the tracking store and a switch loads a package from disk: off
            // the event loops, which run this task (see ``runConcurrencyOnEventLoops(threads:)``).
            for change in await Self.offEventLoop({ [catalog] in catalog.reload() }) {
                switch change {
                case .switched(let name, let from, let to):
                    metrics.loaded(model: name, version: from, current: false)
                    metrics.loaded(model: name, version: to, current: true)
                    lastFailure[name] = nil
                    logger.notice("model \(name): now serving version \(to) (was \(from))")
                case .failed(let name, let reference, let error):
                    if lastFailure[name] != error {
                        logger.error(
                            "model \(name): cannot reload \(reference), still serving the loaded version: \(error)")
                    }
                    lastFailure[name] = error
                }
            }
        }
    }

    // MARK: - Routes

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/v2/health/live") { _, _ in Self.json("{\"live\":true}") }
        router.get("/v2/health/ready") { [catalog] _, _ in
            catalog.all.isEmpty ? Self.error(503, "no model loaded") : Self.json("{\"ready\":true}")
        }
        router.get("/v2") { [settings] _, _ in
            Self.json(
                "{\"name\":\"trainyard\",\"version\":\(InferenceCodec.quote(settings.serverVersion)),\"extensions\":[\"binary_tensor_data\"]}"
            )
        }
        router.get("/metrics") { [metrics] _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
        for prefix in ["/v2/models/:name", "/v2/models/:name/versions/:version"] {
            router.get(RouterPath(prefix)) { [self] _, context in
                try respond(context) { model in Self.json(metadata(model)) }
            }
            router.get(RouterPath(prefix + "/ready")) { [self] _, context in
                try respond(context) { _ in Self.json("{\"ready\":true}") }
            }
            router.post(RouterPath(prefix + "/infer")) { [self] request, context in
                await infer(
                    request, name: context.parameters.get("name") ?? "", version: context.parameters.get("version"))
            }
        }
        router.get("/v2/models/:name/drift") { [self] _, context in
            // Waits for any evaluation in flight and evaluates the window: off the event loop.
            let model: ServedModel
            do { model = try resolve(context) } catch let error as InferenceError {
                return Self.error(error.status, error.message)
            }
            return await Self.offEventLoop {
                guard let state = model.drift.evaluateNow() else {
                    return Self.json(
                        "{\"model\":\(InferenceCodec.quote(model.location.name)),\"version\":\(model.location.version),\"window_rows\":0,\"drifted_share\":0,\"alerting\":false,\"columns\":[]}"
                    )
                }
                return Self.json(state.json())
            }
        }
        return router
    }

    /// The served model a path names (404 for an unknown model or a version not being served).
    func resolve(_ context: BasicRequestContext) throws(InferenceError) -> ServedModel {
        try resolve(name: context.parameters.get("name") ?? "", version: context.parameters.get("version"))
    }

    func resolve(name: String, version: String?) throws(InferenceError) -> ServedModel {
        guard let model = catalog.model(name) else {
            let served = catalog.all.map(\.location.name)
            throw InferenceError(
                404, "unknown model '\(name)'; serving \(served.isEmpty ? "none" : served.joined(separator: ", "))")
        }
        if let version, version != String(model.location.version) {
            throw InferenceError(
                404, "version \(version) of model '\(name)' is not served (serving version \(model.location.version))")
        }
        return model
    }

    private func respond(_ context: BasicRequestContext, _ body: (ServedModel) throws -> Response) throws -> Response {
        do {
            return try body(try resolve(context))
        } catch let error as InferenceError {
            return Self.error(error.status, error.message)
        }
    }

    func metadata(_ model: ServedModel) -> String {
        let manifest = model.package.manifest
        let features = model.featureCount
        var outputs: [String]
        if model.isClassifier {
            let classes = manifest.labels?.count ?? manifest.architecture.outputs
            outputs = [
                "{\"name\":\"probabilities\",\"datatype\":\"FP32\",\"shape\":[-1,\(classes)]}",
                "{\"name\":\"label\",\"datatype\":\"BYTES\",\"shape\":[-1]}",
            ]
        } else {
            outputs = ["{\"name\":\"prediction\",\"datatype\":\"FP32\",\"shape\":[-1]}"]
        }
        let names = manifest.input.featureNames.map(InferenceCodec.quote).joined(separator: ",")
        let labels = (manifest.labels ?? []).map(InferenceCodec.quote).joined(separator: ",")
        return "{\"name\":\(InferenceCodec.quote(model.location.name)),\"versions\":[\"\(model.location.version)\"],"
            + "\"platform\":\"trainyard\",\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,\(features)]}],"
            + "\"outputs\":[\(outputs.joined(separator: ","))],"
            + "\"parameters\":{\"task\":\"\(manifest.task.rawValue)\",\"feature_names\":[\(names)],\"labels\":[\(labels)],"
            + "\"run_id\":\(InferenceCodec.quote(manifest.lineage.runID))}}"
    }

    // MARK: - Inference

    static let headerLengthField = HTTPField.Name("Inference-Header-Content-Length")!

    /// Answers `POST /v2/models/{name}[/versions/{version}]/infer` (the router's path; most
    /// requests take ``InferenceFastPath``, which answers them on the event loop).
    func infer(_ request: Request, name: String, version: String?) async -> Response {
        let started = ContinuousClock.now
        let body: ByteBuffer?
        if (try? resolve(name: name, version: version)) != nil {
            body = try? await request.body.collect(upTo: settings.maximumBodyBytes)
        } else {
            body = ByteBuffer()  // 404 whatever the body
        }
        let answer = answer(
            name: name, version: version, headerLength: request.headers[Self.headerLengthField],
            body: body, started: started)
        return Response(status: answer.status, headers: answer.headers, body: .init(byteBuffer: answer.body))
    }

    /// An inference answer, for whichever HTTP layer delivers it.
    struct Answer {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: ByteBuffer
    }

    /// Scores one inference request: `body` is the whole request body, nil when it was larger
    /// than the limit (413). Records the request's metrics and the rows for drift detection.
    func answer(
        name: String, version: String?, headerLength header: String?, body: ByteBuffer?,
        started: ContinuousClock.Instant
    ) -> Answer {
        var served: ServedModel?
        let answer: Answer
        do {
            let model = try resolve(name: name, version: version)
            served = model
            guard let buffer = body else {
                throw InferenceError(413, "the request body is larger than the \(settings.maximumBodyBytes)-byte limit")
            }
            let parsed = try buffer.withUnsafeReadableBytes { body in
                Result { () throws(InferenceError) in try InferenceCodec.decodeRequest(body, headerLength: header) }
            }.get()
            let (encoded, outputs, binary) = try score(parsed, model: model)
            var bytes = ByteBufferAllocator().buffer(capacity: 256)
            let headerLength = InferenceCodec.encodeResponse(
                into: &bytes, model: model.location.name, version: model.versionText, id: parsed.id, outputs: outputs,
                binary: binary)
            var headers: HTTPFields = [
                .contentType: headerLength == nil ? "application/json" : "application/octet-stream"
            ]
            if let headerLength { headers[Self.headerLengthField] = String(headerLength) }
            if let window = model.drift.record(encoded.features, rows: encoded.rows) {
                driftWorker.submit { [metrics, onDrift] in
                    let (state, alert) = model.drift.evaluate(window)
                    metrics.drift(state)
                    onDrift(state, alert)
                }
            }
            metrics.answered(metrics.series(model), duration: ContinuousClock.now - started, rows: encoded.rows)
            return Answer(status: .ok, headers: headers, body: bytes)
        } catch let error as InferenceError {
            answer = Self.errorAnswer(error.status, error.message)
        } catch {
            answer = Self.errorAnswer(500, "\(error)")
        }
        metrics.request(
            model: served?.location.name ?? "", version: served?.versionText ?? "",
            status: Int(answer.status.code), duration: ContinuousClock.now - started, rows: nil)
        return answer
    }

    /// Validates the inputs against the model, predicts, and builds the requested outputs.
    func score(_ request: InferenceRequest, model: ServedModel) throws(InferenceError)
        -> (EncodedInput, [OutputTensor], [Bool])
    {
        guard let input = request.inputs.first(where: { $0.name == "input" }) else {
            throw .bad(
                "missing input 'input' (FP32 [rows, \(model.featureCount)]); got \(request.inputs.map { "'\($0.name)'" }.joined(separator: ", "))"
            )
        }
        if let extra = request.inputs.first(where: { $0.name != "input" }) {
            throw .bad("unexpected input '\(extra.name)'; model '\(model.location.name)' takes one input 'input'")
        }
        guard request.inputs.count == 1 else { throw .bad("input 'input' is given more than once") }
        let rows: Int
        switch input.shape.count {
        case 2 where input.shape[1] == model.featureCount: rows = input.shape[0]
        case 1 where input.shape[0] == model.featureCount: rows = 1
        default:
            throw .bad(
                "input 'input' has shape \(input.shape); model '\(model.location.name)' needs [rows, \(model.featureCount)]"
            )
        }
        guard rows > 0 else { throw .bad("input 'input' has no rows") }
        if let bad = input.values.firstIndex(where: { !$0.isFinite }) {
            throw .bad(
                "input 'input' has a non-finite value \(input.values[bad]) at row \(bad / model.featureCount), feature \(model.package.manifest.input.featureNames[bad % model.featureCount])"
            )
        }
        let encoded = EncodedInput(features: input.values, rows: rows)
        let predictions: Predictions
        do {
            predictions = try model.predictor.predict(encoded)
        } catch {
            throw .bad("\(error)")
        }
        func output(_ name: String) -> OutputTensor? {
            switch (model.isClassifier, name) {
            case (true, "probabilities"):
                return OutputTensor(
                    name: name, shape: [rows, predictions.classNames.count], data: .floats(predictions.probabilities))
            case (true, "label"): return OutputTensor(name: name, shape: [rows], data: .strings(predictions.labels))
            case (false, "prediction"):
                return OutputTensor(name: name, shape: [rows], data: .floats(predictions.values))
            default: return nil
            }
        }
        var outputs: [OutputTensor] = []
        var binary: [Bool] = []
        if let requested = request.outputs {
            for (name, wantsBinary) in requested {
                guard let output = output(name) else {
                    throw .bad(
                        "unknown output '\(name)'; model '\(model.location.name)' has \(model.outputNames.map { "'\($0)'" }.joined(separator: ", "))"
                    )
                }
                outputs.append(output)
                binary.append(wantsBinary ?? request.binaryOutput)
            }
        } else {
            for name in model.outputNames {
                outputs.append(output(name)!)
                binary.append(request.binaryOutput)
            }
        }
        return (encoded, outputs, binary)
    }

    // MARK: - Responses

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func error(_ status: Int, _ message: String) -> Response {
        let answer = errorAnswer(status, message)
        return Response(status: answer.status, headers: answer.headers, body: .init(byteBuffer: answer.body))
    }

    static func errorAnswer(_ status: Int, _ message: String) -> Answer {
        Answer(
            status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json"],
            body: ByteBuffer(string: "{\"error\":\(InferenceCodec.quote(message))}"))
    }
}
