/// Stream ids, built and parsed in one place: extractors append to these, projections and
/// lineage read them back. A stream id is `/`-separated segments, the first naming the
/// provider (see docs/ARCHITECTURE.md, "Event catalogue"). Ids, tickers and connection
/// names are used as given: extractors accept only ones without `/`.
public enum StreamName {
    /// The segments that follow `gocardless/account/<id>`.
    public enum GoCardlessAccountPart: String, Sendable, CaseIterable {
        case details, balances, transactions, pending
    }

    /// The streams of a Trading212 connection, `trading212/<conn>/<part>`.
    public enum Trading212Part: String, Sendable, CaseIterable {
        case account, positions, orders, dividends, transactions
    }

    // MARK: GoCardless

    public static func gocardlessInstitution(_ id: String) -> String { join("gocardless", "institution", id) }
    public static func gocardlessAgreement(_ id: String) -> String { join("gocardless", "agreement", id) }
    public static func gocardlessRequisition(_ id: String) -> String { join("gocardless", "requisition", id) }
    /// `gocardless/account/<id>`: the account's metadata, and the base of its other streams.
    public static func gocardlessAccount(_ id: String) -> String { join("gocardless", "account", id) }
    public static func gocardlessAccount(_ id: String, _ part: GoCardlessAccountPart) -> String { join(gocardlessAccount(id), part.rawValue) }
    /// `gocardless/connection/<id>/health`.
    public static func gocardlessConnectionHealth(_ connection: String) -> String { connectionHealth(provider: "gocardless", connection) }

    // MARK: Every provider

    /// `<provider>/connection/<id>/health`: a connection's `connection.health.observed` events.
    public static func connectionHealth(provider: String, _ connection: String) -> String { join(provider, "connection", connection, "health") }

    // MARK: Trading212

    /// `trading212/<conn>`: the base of a connection's streams.
    public static func trading212(_ connection: String) -> String { join("trading212", connection) }
    public static func trading212(_ connection: String, _ part: Trading212Part) -> String { join(trading212(connection), part.rawValue) }
    /// `trading212/instrument/<ticker>` (instruments are shared by every connection).
    public static func trading212Instrument(_ ticker: String) -> String { join("trading212", "instrument", ticker) }

    // MARK: Vanguard

    public static func vanguardSubaccount(_ connection: String, _ hierarchyID: String) -> String { join("vanguard", connection, "subaccount", hierarchyID) }
    public static func vanguardHoldings(_ connection: String, _ hierarchyID: String) -> String { join(vanguardSubaccount(connection, hierarchyID), "holdings") }
    /// `vanguard/<conn>/export/<account name>`: rows imported from a transactions export.
    public static func vanguardExport(_ connection: String, account: String) -> String { join("vanguard", connection, "export", account) }
    /// `vanguard/<conn>/export-link/<block title>`: which session sub-account an export block is.
    public static func vanguardExportLink(_ connection: String, account: String) -> String { join("vanguard", connection, "export-link", account) }

    // MARK: Parsing

    /// The second segment of `stream`: the connection of a `<provider>/<connection>/…`
    /// stream (Trading212, Vanguard); empty when there is none.
    public static func connection(of stream: String) -> String {
        guard let slash = stream.firstIndex(of: "/") else { return "" }
        let rest = stream[stream.index(after: slash)...]
        return String(rest.prefix { $0 != "/" })
    }

    /// Whether `stream` is `base` or one of the streams under it (`base/…`).
    public static func stream(_ stream: String, isWithin base: String) -> Bool {
        stream == base || (stream.hasPrefix(base) && stream.dropFirst(base.count).first == "/")
    }

    static func join(_ segments: String...) -> String { segments.joined(separator: "/") }
}
