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
