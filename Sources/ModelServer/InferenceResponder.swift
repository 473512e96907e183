import Foundation
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

    /// The model name and version an inference path names, nil for any other path. Works on the
    /// path's UTF-8 bytes: `String.contains` on a String goes through Foundation's CFString search.
    static func inferTarget(_ path: String) -> (name: String, version: String?)? {
        var path = path
        return path.withUTF8 { bytes -> (name: String, version: String?)? in
            let prefix: StaticString = "/v2/models/", suffix: StaticString = "/infer"
            let p = prefix.utf8CodeUnitCount, q = suffix.utf8CodeUnitCount
            guard bytes.count > p + q, !bytes.contains(UInt8(ascii: "%")),
                memcmp(bytes.baseAddress!, prefix.utf8Start, p) == 0,
                memcmp(bytes.baseAddress! + bytes.count - q, suffix.utf8Start, q) == 0
            else { return nil }
            // What lies between: NAME, or NAME/versions/VERSION.
            let middle = UnsafeBufferPointer(rebasing: bytes[p..<(bytes.count - q)])
            let parts = middle.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            switch parts.count {
            case 1 where !parts[0].isEmpty:
                return (String(decoding: parts[0], as: UTF8.self), nil)
            case 3 where !parts[0].isEmpty && parts[1].elementsEqual("versions".utf8) && !parts[2].isEmpty:
                return (String(decoding: parts[0], as: UTF8.self), String(decoding: parts[2], as: UTF8.self))
            default:
                return nil
            }
        }
    }
}
