import Foundation

/// What is left of one budget: e.g. a bank account's daily `transactions` calls.
public struct QuotaStatus: Sendable, Hashable, Codable {
    public var provider: String
    /// What the budget is counted against (a bank account id).
    public var subject: String
    /// e.g. `details`, `balances`, `transactions`.
    public var scope: String
    public var limit: Int?
    public var remaining: Int?
    /// When a spent budget allows calls again; `nil` when unknown or not spent.
    public var nextAllowedAt: Date?
    /// The last successful call in this scope.
    public var lastSuccessAt: Date?

    public init(provider: String, subject: String, scope: String, limit: Int? = nil, remaining: Int? = nil, nextAllowedAt: Date? = nil, lastSuccessAt: Date? = nil) {
        self.provider = provider
        self.subject = subject
        self.scope = scope
        self.limit = limit
        self.remaining = remaining
        self.nextAllowedAt = nextAllowedAt
        self.lastSuccessAt = lastSuccessAt
    }

    /// Whether a call in this scope would be refused at `now` (the budget is spent and has not reset).
    public func isSpent(at now: Date) -> Bool {
        guard let remaining, remaining <= 0 else { return false }
        guard let nextAllowedAt else { return true }
        return nextAllowedAt > now
    }
}
