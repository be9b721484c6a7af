import Foundation
import HTTPTypes
import Hummingbird

/// Counts every request and its latency by route (the route's pattern, so ids do not
/// explode the label set; unknown paths are `other`), method and status.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: APIMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let route = RouteLabel.of(request.uri.path)
        do {
            let response = try await next(request, context)
            metrics.recordRequest(route: route, method: request.method.rawValue, status: response.status.code, duration: ContinuousClock.now - start)
            return response
        } catch {
            let status = (error as? APIProblem)?.status.code ?? 500
            metrics.recordRequest(route: route, method: request.method.rawValue, status: status, duration: ContinuousClock.now - start)
            throw error
        }
    }
}

/// The route pattern a path belongs to, for metric labels (ids do not explode the label set;
/// unknown paths are `other`).
enum RouteLabel {
    static let routes: Set<String> = [
        "/healthz", "/readyz", "/metrics", "/v1/institutions", "/v1/connections", "/v1/accounts", "/v1/accounts/{id}", "/v1/holdings",
        "/v1/transactions", "/v1/transactions/{id}", "/v1/analytics/net-worth", "/v1/analytics/cashflow", "/v1/analytics/balances",
        "/v1/analytics/portfolio", "/v1/runs", "/v1/runs/{id}", "/v1/status", "/v1/sync",
    ]

    static func of(_ path: String) -> String {
        if routes.contains(path) { return path }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 4 {
            let pattern = parts.dropLast().joined(separator: "/") + "/{id}"
            if routes.contains(pattern) { return pattern }
        }
        return "other"
    }
}
