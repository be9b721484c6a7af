import EventLog
import CanonicalJSON
import Foundation
import Postgres

extension UnifiedBatch {
    static func t212Account(_ conn: String) -> String { DeterministicID.string("trading212", "account", conn) }
    static func vanguardAccount(_ hierarchyID: String) -> String { DeterministicID.string("vanguard", "account", hierarchyID) }

    /// The connection of a `<provider>/<conn>/…` stream, with its row started if new.
    mutating func investmentConnection(provider: String, stream: String) -> (conn: String, id: String) {
        let conn = StreamName.connection(of: stream)
        let id = Self.connectionID(provider: provider, connection: conn)
        if connections[id] == nil {
            var x = Connection(provider: provider, providerID: conn)
            x.initialStatus = "active"
            connections[id] = x
        }
        return (conn, id)
    }

    mutating func foldTrading212(_ e: ProjectedEvent) throws {
        let j = e.json, at = e.recordedAtText
        switch e.type {
        case EventCatalog.trading212AccountObserved.name:
            let (conn, connection) = investmentConnection(provider: "trading212", stream: e.event.streamID)
            var a = account(Self.t212Account(conn), provider: "trading212", providerID: conn, type: "trading", at: at)
            a.connection = connection
            a.name = "Trading 212 \(conn.uppercased())"
            a.status = "active"
            if let s = j["summary"], s.object != nil {
                a.currency = s["currency"]?.string ?? a.currency
                a.balanceAmount = s["cash"]?["availableToTrade"]?.numberText
                a.totalValue = s["totalValue"]?.numberText
                a.unrealised = s["investments"]?["unrealizedProfitLoss"]?.numberText
            } else if let cash = j["cash"], cash.object != nil {
                a.currency = j["info"]?["currencyCode"]?.string ?? a.currency
                a.balanceAmount = cash["free"]?.numberText
                a.totalValue = cash["total"]?.numberText
                a.unrealised = cash["ppl"]?.numberText
            } else {
                throw ProjectionError.malformed(e, "neither summary nor cash is present")
            }
            a.balanceType = "cash_available"
            a.balanceDate = String(at.prefix(10))
            a.updated = max(a.updated, at)
            accounts[Self.t212Account(conn)] = a
            activity[Self.t212Account(conn)] = max(activity[Self.t212Account(conn)] ?? at, at)
        case EventCatalog.trading212PositionsObserved.name:
            let (conn, _) = investmentConnection(provider: "trading212", stream: e.event.streamID)
            let list = try e.trading212Positions().map(\.0)
            t212Positions[Self.t212Account(conn)] = (conn, list, at)
            ensureInvestmentAccount(Self.t212Account(conn), provider: "trading212", providerID: conn, type: "trading", at: at)
        case EventCatalog.trading212InstrumentObserved.name:
            let t = try e.string("ticker")
            t212Instruments[t] = (j["name"]?.string, j["isin"]?.string, j["currencyCode"]?.string, at)
        case EventCatalog.trading212DividendObserved.name, EventCatalog.trading212TransactionObserved.name:
            // Dividends and cash movements are the account's transactions, keyed by reference.
            let (conn, _) = investmentConnection(provider: "trading212", stream: e.event.streamID)
            let item = try e.trading212CashItem()
            let dividend = e.type == EventCatalog.trading212DividendObserved.name
            let account = Self.t212Account(conn)
            let key = (dividend ? "dividend:" : "cash:") + item.reference
            let date = item.date
            let ticker = j["ticker"]?.string ?? j["instrument"]?["ticker"]?.string
            let counterparty = dividend ? j["instrument"]?["name"]?.string ?? ticker : "Trading 212"
            let description = dividend ? "Dividend \(ticker ?? "")" + (j["type"]?.string.map { " (\($0))" } ?? "")
                                       : j["type"]?.string.map { $0.capitalized } ?? "Cash movement"
            booked[account + "\u{1F}" + key] = Transaction(id: DeterministicID.string("trading212", "transaction", conn, key), account: account, key: key, status: "booked",
                                                          bookingDate: date, valueDate: date, amount: item.amount, currency: item.currency ?? "GBP",
                                                          counterparty: counterparty, description: description, updated: at)
            ensureInvestmentAccount(account, provider: "trading212", providerID: conn, type: "trading", at: at)
        default: break
        }
    }

    mutating func foldVanguard(_ e: ProjectedEvent) throws {
        let j = e.json, at = e.recordedAtText
        let h = try e.string("hierarchy_id")
        let (_, connection) = investmentConnection(provider: "vanguard", stream: e.event.streamID)
        let id = Self.vanguardAccount(h)
        var a = account(id, provider: "vanguard", providerID: h, type: "investment", at: at)
        a.connection = connection
        switch e.type {
        case EventCatalog.vanguardSubaccountObserved.name:
            let name = j["name"]?.string ?? h
            a.name = j["wrapper"]?.string.map { "Vanguard \(name) (\($0))" } ?? "Vanguard \(name)"
            a.currency = "GBP"
            a.balanceAmount = VanguardMoney.amount(j["cash"])
            a.balanceType = a.balanceAmount == nil ? nil : "cash"
            a.balanceDate = a.balanceAmount == nil ? nil : String(at.prefix(10))
            a.totalValue = VanguardMoney.amount(j["valuation"]?["Value"]) ?? VanguardMoney.amount(j["valuation"])
            a.status = "active"
        case EventCatalog.vanguardHoldingsObserved.name:
            let positions = VanguardPosition.all(in: j)
            holdings[id] = positions.map { p in
                Holding(id: DeterministicID.string("vanguard", "holding", h, p.productCode), account: id, ticker: p.productCode, name: p.name, isin: nil,
                        quantity: p.quantity, averageCost: p.averageCost, price: p.latestPrice, value: p.marketValue, pnl: p.unrealisedPnL, currency: "GBP", updated: at)
            }
            let total = positions.compactMap { $0.unrealisedPnL.flatMap { Decimal(string: $0) } }.reduce(Decimal(0), +)
            a.unrealised = positions.isEmpty ? "0" : "\(total)"
        default: break
        }
        a.updated = max(a.updated, at)
        accounts[id] = a
        activity[id] = max(activity[id] ?? at, at)
    }

    mutating func ensureInvestmentAccount(_ id: String, provider: String, providerID: String, type: String, at: String) {
        var a = account(id, provider: provider, providerID: providerID, type: type, at: at)
        a.updated = max(a.updated, at)
        accounts[id] = a
    }

    /// Stores the latest Trading212 positions and instrument metadata, then derives the
    /// affected accounts' holdings from both: names and ISINs come from the instrument list
    /// when the positions lack them, and GBX (pence) prices are reported in GBP.
    func writeTrading212Holdings(in c: ProjectionContext) throws {
        guard !t212Positions.isEmpty || !t212Instruments.isEmpty else { return }
        if !t212Instruments.isEmpty {
            var w = CopyTextWriter()
            for (t, m) in t212Instruments.sorted(by: { $0.key < $1.key }) { w.row("trading212", t, m.name, m.isin, m.currency, m.at) }
            try StagedUpsert(table: "instrument_metadata", columns: ["provider", "ticker", "name", "isin", "currency", "updated_at"], conflict: ["provider", "ticker"]).run(w, in: c)
        }
        var affected = Set(t212Positions.keys)
        if !t212Positions.isEmpty {
            let ids = t212Positions.keys.sorted()
            _ = try c.session.query("DELETE FROM \(c.table("trading212_position_state")) WHERE account_id = ANY($1::uuid[])", [.textArray(ids)])
            var w = CopyTextWriter()
            for (id, (conn, list, at)) in t212Positions.sorted(by: { $0.key < $1.key }) {
                for p in list {
                    w.row(id, p.ticker, DeterministicID.string("trading212", "holding", conn, p.ticker), p.quantity, p.averagePrice, p.currentPrice, p.instrumentCurrency,
                          p.name, p.isin, p.currentValue, p.unrealisedPnL, at)
                }
            }
            try c.session.copyIn("COPY \(c.table("trading212_position_state")) (account_id, ticker, holding_id, quantity, average_price, current_price, currency, name, isin, current_value, unrealised_pnl, updated_at) FROM STDIN", text: w)
        }
        if !t212Instruments.isEmpty {
            let r = try c.session.query("SELECT DISTINCT account_id::text FROM \(c.table("trading212_position_state")) WHERE ticker = ANY($1::text[])", [.textArray(t212Instruments.keys.sorted())])
            for row in r { affected.insert(try row.decode(String.self, 0)) }
        }
        guard !affected.isEmpty else { return }
        let ids = affected.sorted()
        _ = try c.session.query("DELETE FROM \(c.table("holdings")) WHERE account_id = ANY($1::uuid[])", [.textArray(ids)])
        _ = try c.session.query("""
            INSERT INTO \(c.table("holdings")) (id, account_id, ticker, name, isin, quantity, average_cost, current_price, current_value, unrealised_pnl, currency, updated_at)
            SELECT p.holding_id, p.account_id, p.ticker, coalesce(p.name, m.name), coalesce(p.isin, m.isin), p.quantity,
                   CASE WHEN x.pence THEN p.average_price * 0.01 ELSE p.average_price END,
                   CASE WHEN x.pence THEN p.current_price * 0.01 ELSE p.current_price END,
                   coalesce(p.current_value, CASE WHEN x.major = a.currency THEN round(p.quantity * CASE WHEN x.pence THEN p.current_price * 0.01 ELSE p.current_price END, 2) END),
                   p.unrealised_pnl, x.major, greatest(p.updated_at, m.updated_at)
            FROM \(c.table("trading212_position_state")) p
            LEFT JOIN \(c.table("instrument_metadata")) m ON m.provider = 'trading212' AND m.ticker = p.ticker
            LEFT JOIN \(c.table("accounts")) a ON a.id = p.account_id
            CROSS JOIN LATERAL (SELECT coalesce(p.currency, m.currency) IN ('GBX', 'GBp') AS pence,
                                       CASE WHEN coalesce(p.currency, m.currency) IN ('GBX', 'GBp') THEN 'GBP' ELSE coalesce(p.currency, m.currency) END AS major) x
            WHERE p.account_id = ANY($1::uuid[])
            """, [.textArray(ids)])
    }
}

extension UnifiedFold {
    static let trading212 = UnifiedFold("trading212", eventTypes: [
        EventCatalog.trading212AccountObserved.name, EventCatalog.trading212PositionsObserved.name, EventCatalog.trading212InstrumentObserved.name,
        EventCatalog.trading212DividendObserved.name, EventCatalog.trading212TransactionObserved.name,
    ]) { batch, e, _ in try batch.foldTrading212(e) }

    static let vanguard = UnifiedFold("vanguard", eventTypes: [EventCatalog.vanguardSubaccountObserved.name, EventCatalog.vanguardHoldingsObserved.name]) { batch, e, _ in
        try batch.foldVanguard(e)
    }
}
