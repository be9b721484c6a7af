import Foundation

/// Trading212's per-account, per-endpoint limits as a bucket of `limit` tokens that
/// refills completely at the window's reset time (the `x-ratelimit-reset` it announces).
struct FakeTrading212RateLimiter: Sendable {
    struct Limit: Sendable { var limit: Int; var period: Int }
    struct Window: Sendable { var reset: Date; var used: Int }
    struct Decision: Sendable {
        var allowed: Bool
        var headers: [(String, String)]
    }

    /// Per endpoint (path template), from the public spec.
    static let limits: [String: Limit] = [
        "/api/v0/equity/account/summary": .init(limit: 1, period: 5),
        "/api/v0/equity/account/cash": .init(limit: 1, period: 2),
        "/api/v0/equity/account/info": .init(limit: 1, period: 30),
        "/api/v0/equity/positions": .init(limit: 1, period: 1),
        "/api/v0/equity/portfolio": .init(limit: 1, period: 5),
        "/api/v0/equity/metadata/instruments": .init(limit: 1, period: 50),
        "/api/v0/equity/history/orders": .init(limit: 6, period: 60),
        "/api/v0/equity/history/dividends": .init(limit: 6, period: 60),
        "/api/v0/equity/history/transactions": .init(limit: 6, period: 60),
        "/api/v0/history/dividends": .init(limit: 6, period: 60),
        "/api/v0/history/transactions": .init(limit: 6, period: 60),
    ]

    var windows: [String: Window] = [:]

    /// Takes a token for `endpoint` at `now`, or refuses; either way returns the five headers.
    mutating func take(_ endpoint: String, now: Date) -> Decision {
        let l = Self.limits[endpoint] ?? .init(limit: 10, period: 1)
        var w = windows[endpoint] ?? Window(reset: .distantPast, used: 0)
        if now >= w.reset {
            w = Window(reset: Date(timeIntervalSince1970: (now.timeIntervalSince1970 + Double(l.period)).rounded(.up)), used: 0)
        }
        let allowed = w.used < l.limit
        if allowed { w.used += 1 }
        windows[endpoint] = w
        return Decision(allowed: allowed, headers: [
            ("x-ratelimit-limit", String(l.limit)),
            ("x-ratelimit-period", String(l.period)),
            ("x-ratelimit-remaining", String(max(0, l.limit - w.used))),
            ("x-ratelimit-reset", String(Int64(w.reset.timeIntervalSince1970))),
            ("x-ratelimit-used", String(w.used)),
        ])
    }
}
