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

    /// How every provider's step notes report a scope a budget stopped:
    /// `transactions skipped: <why>; next allowed at 2026-12-01T00:00:00Z`.
    public static func skippedNote(_ scope: String, because why: String, nextAllowedAt next: Date) -> String {
        "\(scope) skipped: \(why); next allowed at \(next.formatted(.iso8601))"
    }

    /// Whether a call in this scope would be refused at `now`: the budget is spent and its
    /// reset is still ahead. A spent budget without a reset time blocks nothing (a block
    /// must have an end); see ``current(at:window:)`` for what is still believed.
    public func isSpent(at now: Date) -> Bool {
        guard let remaining, remaining <= 0, let nextAllowedAt else { return false }
        return nextAllowedAt > now
    }

    /// What is still known of this budget at `now`, given the provider's documented
    /// `window` (the longest any budget can stay spent, e.g. GoCardless's rolling 24 hours):
    /// once the reset time has passed, what remains is unknown again; a spent budget with
    /// no reset time, or a reset further away than the window allows, is not believed
    /// either. So no stored state can block calls for longer than the window.
    public func current(at now: Date, window: TimeInterval) -> QuotaStatus {
        var q = self
        let resetPassed = nextAllowedAt.map { $0 <= now } ?? false
        let resetBeyondWindow = nextAllowedAt.map { $0.timeIntervalSince(now) > window } ?? false
        let spentWithoutEnd = (remaining ?? 1) <= 0 && nextAllowedAt == nil
        if resetPassed || resetBeyondWindow || spentWithoutEnd {
            q.remaining = nil
            q.nextAllowedAt = nil
        }
        return q
    }
}
