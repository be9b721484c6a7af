import Foundation
import HTTPTypes
import Hummingbird

/// Bearer-token authentication for every route but the open ones (`/healthz`, `/readyz`,
/// and `/metrics` when `[server] metrics = "public"`).
///
/// No token, or an unknown or revoked one → 401 with `WWW-Authenticate: Bearer`; a `read`
/// token on an action (any POST) → 403.
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let pool: ConnectionPool
    let openPaths: Set<String>
    let cache: TokenCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if openPaths.contains(request.uri.path) { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw Self.unauthorized("send an API token as `Authorization: Bearer <token>` (create one with `finsync token create`)")
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        let pool = self.pool
        let scope = try await cache.scope(of: token) { try await pool.session { s in try TokenStore.verify(token, session: s) } }
        guard let scope else { throw Self.unauthorized("the token is unknown or revoked") }
        let needed: TokenScope = request.method == .get || request.method == .head ? .read : .write
        guard scope.allows(needed) else {
            throw APIProblem(.forbidden, status: .forbidden, title: "Token scope too narrow",
                             detail: "this action needs a token with scope write; this token has scope \(scope.rawValue)")
        }
        return try await RequestToken.$current.withValue(token) { try await next(request, context) }
    }

    static func unauthorized(_ detail: String) -> APIProblem {
        APIProblem(.unauthorized, status: .unauthorized, title: "Unauthorized", detail: detail)
    }
}
