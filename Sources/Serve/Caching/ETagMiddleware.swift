import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// ETags for GETs, from the state behind the answer (``ResourceState``) plus the path and
/// query: a matching `If-None-Match` answers 304 after one small read of checkpoints,
/// without touching the tables; other answers carry the ETag. Answers about one annotation
/// stream carry its version instead, set by their handler (``StreamETag``).
///
/// The state is read *before* the answer, so an ETag is never newer than its body: if the
/// projections move in between, the next request simply sees a different ETag.
struct ETagMiddleware<Context: RequestContext>: RouterMiddleware {
    let pool: ConnectionPool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get, let sql = ResourceState.sql(forPath: request.uri.path) else { return try await selfTagged(request, context: context, next: next) }
        let state = try await pool.session { s in try s.query(sql)[0].string(0) ?? "" }
        let tag = Self.tag(state: state, path: request.uri.path, query: request.uri.query ?? "")
        if let wanted = request.headers[.ifNoneMatch], Self.matches(wanted, tag) {
            return Response(status: .notModified, headers: [.eTag: tag])
        }
        var response = try await next(request, context)
        if response.status == .ok { response.headers[.eTag] = tag }
        return response
    }

    /// An answer whose handler may name its own ETag (``StreamETag``: the annotation routes).
    func selfTagged(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let box = StreamETag()
        var response = try await StreamETag.$current.withValue(box) { try await next(request, context) }
        guard let tag = box.tag, (200..<300).contains(response.status.code) else { return response }
        if request.method == .get, let wanted = request.headers[.ifNoneMatch], Self.matches(wanted, tag) {
            return Response(status: .notModified, headers: [.eTag: tag])
        }
        response.headers[.eTag] = tag
        return response
    }

    static func tag(state: String, path: String, query: String) -> String {
        let digest = SHA256.hash(data: Data("\(state)\n\(path)\n\(query)".utf8))
        return "\"" + digest.prefix(12).map { String(format: "%02x", $0) }.joined() + "\""
    }

    /// `If-None-Match`: `*` or a list of (possibly weak) tags.
    static func matches(_ header: String, _ tag: String) -> Bool {
        header.split(separator: ",").contains { part in
            let t = part.trimmingCharacters(in: .whitespaces)
            return t == "*" || t == tag || t == "W/" + tag
        }
    }
}
