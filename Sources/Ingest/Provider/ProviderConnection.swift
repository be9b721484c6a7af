import Foundation

/// One thing a provider's credentials can see and sync (a GoCardless requisition, a
/// Trading212 API key, a Vanguard login).
public struct ProviderConnection: Sendable, Hashable, Codable {
    public var provider: String
    public var id: String
    /// Human-readable: institution, account name.
    public var displayName: String
    public var health: ConnectionHealth
    /// The provider's own status code, e.g. GoCardless `LN`.
    public var providerStatus: String
    /// The provider's status in words.
    public var statusDescription: String
    /// When the consent behind the connection expires, if known.
    public var expiresAt: Date?
    /// Sub-resources to sync (e.g. account ids).
    public var accounts: [String]

    public init(provider: String, id: String, displayName: String, health: ConnectionHealth, providerStatus: String, statusDescription: String, expiresAt: Date? = nil, accounts: [String] = []) {
        self.provider = provider
        self.id = id
        self.displayName = displayName
        self.health = health
        self.providerStatus = providerStatus
        self.statusDescription = statusDescription
        self.expiresAt = expiresAt
        self.accounts = accounts
    }

    /// Whether data can be read through this connection now.
    public var isSyncable: Bool { health == .active }

    /// Whether consent expires within `days` of `now` (and has not yet expired).
    public func expiresSoon(now: Date, within days: Int = 7) -> Bool {
        Self.expiresSoon(expiresAt, health: health, now: now, within: days)
    }

    /// Whether a consent expiring at `expiresAt` is active and ends within `days` of `now`:
    /// the one rule for "expires soon" (warnings of the run, `finsync connections`, notifications).
    public static func expiresSoon(_ expiresAt: Date?, health: ConnectionHealth, now: Date, within days: Int) -> Bool {
        guard let expiresAt, health == .active else { return false }
        return expiresAt > now && expiresAt.timeIntervalSince(now) <= Double(days) * 86_400
    }
}
