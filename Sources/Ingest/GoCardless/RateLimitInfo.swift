import Foundation

/// The `HTTP_X_RATELIMIT_*` headers of one answer: the API's general limit and, on
/// details/balances/transactions, the bank's per-account success budget.
public struct RateLimitInfo: Sendable, Hashable {
    public var limit: Int?
    public var remaining: Int?
    /// Seconds until the general window resets.
    public var reset: Int?
    public var accountSuccessLimit: Int?
    public var accountSuccessRemaining: Int?
    /// Seconds until the per-account budget resets.
    public var accountSuccessReset: Int?

    public init(limit: Int? = nil, remaining: Int? = nil, reset: Int? = nil, accountSuccessLimit: Int? = nil, accountSuccessRemaining: Int? = nil, accountSuccessReset: Int? = nil) {
        self.limit = limit
        self.remaining = remaining
        self.reset = reset
        self.accountSuccessLimit = accountSuccessLimit
        self.accountSuccessRemaining = accountSuccessRemaining
        self.accountSuccessReset = accountSuccessReset
    }

    /// Reads the headers whatever their case (clients usually see them lower-cased);
    /// `x-ratelimit-*` without the `HTTP_` prefix is accepted too.
    public init(headers: some Sequence<(name: String, value: String)>) {
        var lower: [String: String] = [:]
        for (name, value) in headers { lower[name.lowercased().replacingOccurrences(of: "-", with: "_")] = value }
        func value(_ suffix: String) -> Int? {
            for name in ["http_x_ratelimit_\(suffix)", "x_ratelimit_\(suffix)"] {
                if let v = lower[name], let i = Int(v.trimmingCharacters(in: .whitespaces)) { return i }
            }
            return nil
        }
        self.init(limit: value("limit"), remaining: value("remaining"), reset: value("reset"),
                  accountSuccessLimit: value("account_success_limit"), accountSuccessRemaining: value("account_success_remaining"),
                  accountSuccessReset: value("account_success_reset"))
    }

    /// Whether the bank's per-account budget for this scope is spent.
    public var accountBudgetSpent: Bool { (accountSuccessRemaining ?? 1) <= 0 }
}
