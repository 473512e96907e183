import Hummingbird

/// The server's responder: `POST /v2/models/{name}[/versions/{version}]/infer` is matched by
/// splitting the path once and answered directly (the router's trie walk and parameter
/// dictionary were about 4% of an inference request); every other request, and any path with
/// a percent escape, goes to the router, which has the same routes.
struct InferenceResponder: HTTPResponder {
    let server: InferenceServer
    let router: RouterResponder<BasicRequestContext>

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        if request.method == .post, let (name, version) = Self.inferTarget(request.uri.path) {
            return await server.infer(request, name: name, version: version)
        }
        return try await router.respond(to: request, context: context)
    }

    /// The model name and version an inference path names, nil for any other path.
    static func inferTarget(_ path: String) -> (name: String, version: String?)? {
        guard path.hasPrefix("/v2/models/"), path.hasSuffix("/infer"), !path.contains("%") else { return nil }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 5 where !parts[3].isEmpty:
            return (String(parts[3]), nil)
        case 7 where !parts[3].isEmpty && parts[4] == "versions" && !parts[5].isEmpty:
            return (String(parts[3]), String(parts[5]))
        default:
            return nil
        }
    }
}
