import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// ETags for GETs, from the state behind the answer (``ResourceState``) plus the path and
/// query: a matching `If-None-Match` answers 304 after one small read of checkpoints,
/// without touching the tables; other answers carry the ETag, their state read in the
/// handler's own database session (``ResourceStateProbe``). Answers about one annotation
/// stream carry its version instead, set by their handler (``StreamETag``).
///
/// The state is read *before* the answer, so an ETag is never newer than its body: if the
/// projections move in between, the next request simply sees a different ETag.
struct ETagMiddleware<Context: RequestContext>: RouterMiddleware {
    let pool: ConnectionPool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get, let sql = ResourceState.sql(forPath: request.uri.path) else { return try await selfTagged(request, context: context, next: next) }
        let path = request.uri.path, query = request.uri.query ?? ""
        if let wanted = request.headers[.ifNoneMatch] {
            let tag = Self.tag(state: try await pool.session { s in try ResourceState.read(sql, in: s) }, path: path, query: query)
            if Self.matches(wanted, tag) { return Response(status: .notModified, headers: [.eTag: tag]) }
            var response = try await next(request, context)
            if response.status == .ok { response.headers[.eTag] = tag }
            return response
        }
        // Nothing to compare: the handler's own session reads the state first (see
        // ResourceStateProbe); a handler that read nothing from the database is tagged after.
        let probe = ResourceStateProbe(sql: sql)
        var response = try await ResourceStateProbe.$current.withValue(probe) { try await next(request, context) }
        guard response.status == .ok else { return response }
        let state: String
        if let read = probe.value { state = read } else { state = try await pool.session { s in try ResourceState.read(sql, in: s) } }
        response.headers[.eTag] = Self.tag(state: state, path: path, query: query)
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
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for byte in digest.prefix(12) { out += [hex[Int(byte >> 4)], hex[Int(byte & 0xf)]] }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }

    /// `If-None-Match`: `*` or a list of (possibly weak) tags.
    static func matches(_ header: String, _ tag: String) -> Bool {
        header.split(separator: ",").contains { part in
            let t = part.trimmingCharacters(in: .whitespaces)
            return t == "*" || t == tag || t == "W/" + tag
        }
    }
}
