/// The fake's endpoints, for targeting faults and counting calls.
public enum GoCardlessEndpoint: String, Sendable, Hashable, CaseIterable {
    case tokenNew = "token/new"
    case tokenRefresh = "token/refresh"
    case institutions
    case agreements
    case requisitions
    case account
    case details
    case balances
    case transactions

    /// The three endpoints that count against the bank's per-account budget.
    public var isAccountData: Bool { self == .details || self == .balances || self == .transactions }
}

/// A fault to inject into the next matching requests.
public enum GoCardlessFault: Sendable, Hashable {
    /// Answer with this 5xx status (e.g. 500, 502, 503).
    case serverError(Int)
    /// Answer 200 with a truncated, invalid JSON body.
    case malformedBody
    /// Wait this long before answering (to provoke client timeouts).
    case delay(Duration)
    /// The general API limit: 429 with `HTTP_X_RATELIMIT_RESET` = `reset` seconds.
    case rateLimited(reset: Int)
}
