import Foundation

/// A source of financial observations that finsync can sync: GoCardless today, Trading212
/// and Vanguard next.
///
/// A provider only knows how to *list* what its credentials can see and how to *extract*
/// one connection as a sequence of ``SyncStep``s that append events through the step's
/// ``StepContext/sink``. Everything else (the run record, the one-run-at-a-time lock,
/// dry runs, quotas' storage, the schedule) is the runner's job and provider-agnostic.
public protocol Provider: Sendable {
    /// Short lower-case name used in stream ids, run records and `--provider` (e.g. `gocardless`).
    var name: String { get }

    /// Every connection the configured credentials can see, whatever its status (the run
    /// syncs those whose ``ProviderConnection/isSyncable`` is true and records the others).
    func connections() async throws -> [ProviderConnection]

    /// The steps that sync `connection`, in order. Conventionally one step for the
    /// connection itself (consent, health) followed by one per account. Steps run one
    /// after another; a failing step does not stop the following ones.
    func steps(for connection: ProviderConnection) async throws -> [SyncStep]
}

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
        guard let expiresAt, health == .active else { return false }
        return expiresAt > now && expiresAt.timeIntervalSince(now) <= Double(days) * 86_400
    }
}

/// The health of a connection, as recorded by `connection.health.observed`.
public enum ConnectionHealth: String, Sendable, Hashable, Codable, CaseIterable {
    case active
    case expired
    case authRequired = "auth_required"
    case suspended
    case error
}
