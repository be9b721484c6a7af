import EventLog

/// One of the three paginated history lists, with its path in each API generation.
public enum Trading212HistoryKind: String, Sendable, CaseIterable {
    case orders, dividends, transactions

    /// Path in the current API (late 2025 on).
    var currentPath: String { "/api/v0/equity/history/\(rawValue)" }

    /// Path in the legacy API (orders already lived under `/equity`).
    var legacyPath: String {
        self == .orders ? "/api/v0/equity/history/orders" : "/api/v0/history/\(rawValue)"
    }

    /// The connection's stream these items are appended to.
    var streamPart: StreamName.Trading212Part {
        switch self {
        case .orders: .orders
        case .dividends: .dividends
        case .transactions: .transactions
        }
    }

    var eventType: EventType {
        switch self {
        case .orders: EventCatalog.trading212OrderObserved.latest
        case .dividends: EventCatalog.trading212DividendObserved.latest
        case .transactions: EventCatalog.trading212TransactionObserved.latest
        }
    }
}
