import CanonicalJSON
import EventLog
import Postgres

/// Raw Trading212 and Vanguard tables, one row per provider entity with the provider's JSON:
/// `t212_accounts`, `t212_positions`, `t212_instruments`, `t212_orders`, `t212_dividends`,
/// `t212_transactions`, `vg_accounts`, `vg_holdings`, `vg_transactions`.
public struct InvestmentsRawProjection: Projection {
    public init() {}
    public let name = "investments_raw"
    public let version = 1
    public let liveSchema = "public"
    public let eventTypes: Set<String> = [
        EventCatalog.trading212AccountObserved.name, EventCatalog.trading212PositionsObserved.name, EventCatalog.trading212InstrumentObserved.name, EventCatalog.trading212OrderObserved.name,
        EventCatalog.trading212DividendObserved.name, EventCatalog.trading212TransactionObserved.name,
        EventCatalog.vanguardSubaccountObserved.name, EventCatalog.vanguardHoldingsObserved.name, EventCatalog.vanguardTransactionImported.name,
    ]
    public let tables = ["t212_accounts", "t212_positions", "t212_instruments", "t212_orders", "t212_dividends", "t212_transactions", "vg_accounts", "vg_holdings", "vg_transactions"]

    public func createTables(in c: ProjectionContext) throws {
        _ = try c.session.execute("""
            CREATE TABLE IF NOT EXISTS \(c.table("t212_accounts")) (
                connection text PRIMARY KEY, account_id bigint, currency text, api text NOT NULL, total_value numeric,
                cash_available numeric, cash_in_pies numeric, cash_reserved numeric, investments_value numeric, investments_cost numeric,
                realized_pnl numeric, unrealized_pnl numeric, raw jsonb NOT NULL, observed_at timestamptz NOT NULL);
            CREATE TABLE IF NOT EXISTS \(c.table("t212_positions")) (
                connection text NOT NULL, ticker text NOT NULL, quantity numeric NOT NULL, average_price numeric, current_price numeric,
                instrument_currency text, current_value numeric, total_cost numeric, unrealized_pnl numeric, fx_impact numeric,
                opened_at timestamptz, raw jsonb NOT NULL, observed_at timestamptz NOT NULL, PRIMARY KEY (connection, ticker));
            CREATE TABLE IF NOT EXISTS \(c.table("t212_instruments")) (
                ticker text PRIMARY KEY, type text, isin text, currency_code text, name text, short_name text,
                raw jsonb NOT NULL, observed_at timestamptz NOT NULL);
            CREATE TABLE IF NOT EXISTS \(c.table("t212_orders")) (
                connection text NOT NULL, order_id text NOT NULL, fill_id text NOT NULL, ticker text, type text, side text, status text,
                quantity numeric, filled_quantity numeric, fill_price numeric, filled_value numeric, currency text,
                created_at timestamptz, filled_at timestamptz, raw jsonb NOT NULL, observed_at timestamptz NOT NULL,
                PRIMARY KEY (connection, order_id, fill_id));
            CREATE TABLE IF NOT EXISTS \(c.table("t212_dividends")) (
                connection text NOT NULL, reference text NOT NULL, ticker text, type text, quantity numeric, amount numeric,
                gross_amount_per_share numeric, currency text, paid_on timestamptz, raw jsonb NOT NULL, observed_at timestamptz NOT NULL,
                PRIMARY KEY (connection, reference));
            CREATE TABLE IF NOT EXISTS \(c.table("t212_transactions")) (
                connection text NOT NULL, reference text NOT NULL, type text, amount numeric, currency text, date_time timestamptz,
                raw jsonb NOT NULL, observed_at timestamptz NOT NULL, PRIMARY KEY (connection, reference));
            CREATE TABLE IF NOT EXISTS \(c.table("vg_accounts")) (
                hierarchy_id text PRIMARY KEY, connection text NOT NULL, name text, wrapper text, value numeric, cash numeric,
                amount_change numeric, percentage_change numeric, as_at text, raw jsonb NOT NULL, observed_at timestamptz NOT NULL);
            CREATE TABLE IF NOT EXISTS \(c.table("vg_holdings")) (
                hierarchy_id text NOT NULL, product_code text NOT NULL, name text, quantity numeric NOT NULL, available_quantity numeric,
                average_cost numeric, market_value numeric, latest_price numeric, latest_price_date text, annual_fee numeric,
                raw jsonb NOT NULL, observed_at timestamptz NOT NULL, PRIMARY KEY (hierarchy_id, product_code));
            CREATE TABLE IF NOT EXISTS \(c.table("vg_transactions")) (
                id uuid PRIMARY KEY, connection text NOT NULL, account text NOT NULL, section text NOT NULL, date date,
                details text, amount numeric, balance numeric, investment_name text, quantity numeric, price numeric, cost numeric,
                occurrence integer NOT NULL, raw jsonb NOT NULL, observed_at timestamptz NOT NULL);
            """)
    }

    public func apply(_ events: [ProjectedEvent], in c: ProjectionContext) throws {
        var accounts: [String: ProjectedEvent] = [:], instruments: [String: ProjectedEvent] = [:]
        var positions: [String: (event: ProjectedEvent, positions: [(Trading212Position, JSONValue)])] = [:]
        var orders = CopyTextWriter(), dividends = CopyTextWriter(), cash = CopyTextWriter()
        var orderKeys = Set<String>(), dividendKeys = Set<String>(), cashKeys = Set<String>()
        var vgAccounts: [String: ProjectedEvent] = [:], vgHoldings: [String: ProjectedEvent] = [:]
        var vgRows: [String: [String?]] = [:]
        for e in events.reversed() {  // newest first: the first row seen per key wins
            let conn = StreamName.connection(of: e.event.streamID)
            let j = e.json
            let at = e.recordedAtText
            switch e.type {
            case EventCatalog.trading212AccountObserved.name: if accounts[conn] == nil { accounts[conn] = e }
            case EventCatalog.trading212PositionsObserved.name:
                // Normalised even when a newer answer replaces it, so what is refused does not
                // depend on batch boundaries.
                let parsed = try e.trading212Positions()
                if positions[conn] == nil { positions[conn] = (e, parsed) }
            case EventCatalog.trading212InstrumentObserved.name: let t = try e.string("ticker"); if instruments[t] == nil { instruments[t] = e }
            case EventCatalog.trading212OrderObserved.name:
                let item: Trading212OrderItem
                do { item = try Trading212OrderItem(j) } catch { throw ProjectionError.malformed(e, error.description) }
                let (o, id, fill) = (item.order, item.id, item.fillID)
                guard orderKeys.insert("\(conn)|\(id)|\(fill)").inserted else { continue }
                let qty = o["quantity"]?.numberText ?? o["orderedQuantity"]?.numberText
                let filled = o["filledQuantity"]?.numberText
                let side = o["side"]?.string ?? ((filled ?? qty)?.hasPrefix("-") == true ? "SELL" : "BUY")
                orders.row(conn, id, fill, o["ticker"]?.string ?? o["instrument"]?["ticker"]?.string, o["type"]?.string, side, o["status"]?.string, qty, filled,
                           j["fill"]?["price"]?.numberText ?? o["fillPrice"]?.numberText, o["filledValue"]?.numberText ?? j["fill"]?["walletImpact"]?["netValue"]?.numberText,
                           o["currency"]?.string, CalendarDay.timestamp(o["createdAt"] ?? o["dateCreated"]), CalendarDay.timestamp(j["fill"]?["filledAt"] ?? o["dateExecuted"]),
                           j.canonicalString, at)
            case EventCatalog.trading212DividendObserved.name:
                let item = try e.trading212CashItem()
                guard dividendKeys.insert("\(conn)|\(item.reference)").inserted else { continue }
                dividends.row(conn, item.reference, j["ticker"]?.string, j["type"]?.string, j["quantity"]?.numberText, item.amount, j["grossAmountPerShare"]?.numberText,
                              item.currency, item.timestamp, j.canonicalString, at)
            case EventCatalog.trading212TransactionObserved.name:
                let item = try e.trading212CashItem()
                guard cashKeys.insert("\(conn)|\(item.reference)").inserted else { continue }
                cash.row(conn, item.reference, j["type"]?.string, item.amount, item.currency, item.timestamp, j.canonicalString, at)
            case EventCatalog.vanguardSubaccountObserved.name: let h = try e.string("hierarchy_id"); if vgAccounts[h] == nil { vgAccounts[h] = e }
            case EventCatalog.vanguardHoldingsObserved.name: let h = try e.string("hierarchy_id"); if vgHoldings[h] == nil { vgHoldings[h] = e }
            case EventCatalog.vanguardTransactionImported.name:
                // Every event is validated, even one a newer duplicate hides, before any SQL.
                let x: VanguardExportEvent
                do { x = try VanguardExportEvent(validating: j) } catch { throw ProjectionError.malformed(e, "export row: \(error)") }
                let id = x.rowID(stream: e.event.streamID)
                guard vgRows[id] == nil else { continue }
                let vgConn = StreamName.connection(of: e.event.streamID), raw = x.rowJSON.canonicalString, occurrence = String(x.occurrence)
                switch x.row {
                case .cash(let r):
                    vgRows[id] = [id, vgConn, x.account, x.section.rawValue, r.date, r.detailsText, "\(r.amount)", r.balance.map { "\($0)" }, nil, nil, nil, nil, occurrence, raw, at]
                case .investment(let r):
                    vgRows[id] = [id, vgConn, x.account, x.section.rawValue, r.date, x.rowJSON["TransactionDetails"]?.string, nil, nil, r.investmentName, "\(r.quantity)", r.price.map { "\($0)" }, r.cost.map { "\($0)" }, occurrence, raw, at]
                }
            default: break
            }
        }
        if !accounts.isEmpty {
            var w = CopyTextWriter()
            for (conn, e) in accounts.sorted(by: { $0.key < $1.key }) {
                let j = e.json
                if let s = j["summary"], s.object != nil {
                    w.row(conn, s["id"]?.numberText, s["currency"]?.string, "summary", s["totalValue"]?.numberText, s["cash"]?["availableToTrade"]?.numberText,
                          s["cash"]?["inPies"]?.numberText, s["cash"]?["reservedForOrders"]?.numberText, s["investments"]?["currentValue"]?.numberText,
                          s["investments"]?["totalCost"]?.numberText, s["investments"]?["realizedProfitLoss"]?.numberText, s["investments"]?["unrealizedProfitLoss"]?.numberText,
                          j.canonicalString, e.recordedAtText)
                } else {
                    let cash = j["cash"] ?? .null, info = j["info"] ?? .null
                    w.row(conn, info["id"]?.numberText, info["currencyCode"]?.string, "legacy", cash["total"]?.numberText, cash["free"]?.numberText,
                          cash["pieCash"]?.numberText, cash["blocked"]?.numberText, nil, cash["invested"]?.numberText, cash["result"]?.numberText,
                          cash["ppl"]?.numberText, j.canonicalString, e.recordedAtText)
                }
            }
            try StagedUpsert(table: "t212_accounts", columns: ["connection", "account_id", "currency", "api", "total_value", "cash_available", "cash_in_pies", "cash_reserved",
                                                               "investments_value", "investments_cost", "realized_pnl", "unrealized_pnl", "raw", "observed_at"], conflict: ["connection"]).run(w, in: c)
        }
        if !positions.isEmpty {
            let conns = positions.keys.sorted()
            _ = try c.session.query("DELETE FROM \(c.table("t212_positions")) WHERE connection = ANY($1::text[])", [.textArray(conns)])
            var w = CopyTextWriter()
            for conn in conns {
                guard let (e, parsed) = positions[conn] else { continue }
                for (x, p) in parsed {
                    w.row(conn, x.ticker, x.quantity, x.averagePrice, x.currentPrice, x.instrumentCurrency, x.currentValue, x.totalCost, x.unrealisedPnL, x.fxImpact,
                          CalendarDay.timestamp(x.openedAt.map { .string($0) }), p.canonicalString, e.recordedAtText)
                }
            }
            try c.session.copyIn("COPY \(c.table("t212_positions")) (connection, ticker, quantity, average_price, current_price, instrument_currency, current_value, total_cost, unrealized_pnl, fx_impact, opened_at, raw, observed_at) FROM STDIN", text: w)
        }
        if !instruments.isEmpty {
            var w = CopyTextWriter()
            for (t, e) in instruments.sorted(by: { $0.key < $1.key }) {
                let j = e.json
                w.row(t, j["type"]?.string, j["isin"]?.string, j["currencyCode"]?.string, j["name"]?.string, j["shortName"]?.string ?? j["shortname"]?.string, j.canonicalString, e.recordedAtText)
            }
            try StagedUpsert(table: "t212_instruments", columns: ["ticker", "type", "isin", "currency_code", "name", "short_name", "raw", "observed_at"], conflict: ["ticker"]).run(w, in: c)
        }
        try StagedUpsert(table: "t212_orders", columns: ["connection", "order_id", "fill_id", "ticker", "type", "side", "status", "quantity", "filled_quantity", "fill_price",
                                                         "filled_value", "currency", "created_at", "filled_at", "raw", "observed_at"], conflict: ["connection", "order_id", "fill_id"]).run(orders, in: c)
        try StagedUpsert(table: "t212_dividends", columns: ["connection", "reference", "ticker", "type", "quantity", "amount", "gross_amount_per_share", "currency", "paid_on", "raw", "observed_at"],
                         conflict: ["connection", "reference"]).run(dividends, in: c)
        try StagedUpsert(table: "t212_transactions", columns: ["connection", "reference", "type", "amount", "currency", "date_time", "raw", "observed_at"], conflict: ["connection", "reference"]).run(cash, in: c)
        if !vgAccounts.isEmpty {
            var w = CopyTextWriter()
            for (h, e) in vgAccounts.sorted(by: { $0.key < $1.key }) {
                let j = e.json
                let conn = StreamName.connection(of: e.event.streamID)
                w.row(h, conn, j["name"]?.string, j["wrapper"]?.string, VanguardMoney.amount(j["valuation"]?["Value"]) ?? VanguardMoney.amount(j["valuation"]),
                      VanguardMoney.amount(j["cash"]), VanguardMoney.amount(j["performance"]?["AmountChange"]), j["performance"]?["PercentageChange"]?.numberText,
                      j["valuation"]?["AsAt"]?.string, j.canonicalString, e.recordedAtText)
            }
            try StagedUpsert(table: "vg_accounts", columns: ["hierarchy_id", "connection", "name", "wrapper", "value", "cash", "amount_change", "percentage_change", "as_at", "raw", "observed_at"],
                             conflict: ["hierarchy_id"]).run(w, in: c)
        }
        if !vgHoldings.isEmpty {
            let ids = vgHoldings.keys.sorted()
            _ = try c.session.query("DELETE FROM \(c.table("vg_holdings")) WHERE hierarchy_id = ANY($1::text[])", [.textArray(ids)])
            var w = CopyTextWriter()
            for (h, e) in vgHoldings.sorted(by: { $0.key < $1.key }) {
                for x in VanguardPosition.all(in: e.json) {
                    w.row(h, x.productCode, x.name, x.quantity, x.availableQuantity, x.averageCost, x.marketValue, x.latestPrice, x.latestPriceDate, x.annualFee, x.raw.canonicalString, e.recordedAtText)
                }
            }
            try c.session.copyIn("COPY \(c.table("vg_holdings")) (hierarchy_id, product_code, name, quantity, available_quantity, average_cost, market_value, latest_price, latest_price_date, annual_fee, raw, observed_at) FROM STDIN", text: w)
        }
        if !vgRows.isEmpty {
            var w = CopyTextWriter()
            for (_, r) in vgRows.sorted(by: { $0.key < $1.key }) { for v in r { w.add(v) }; w.endRow() }
            try StagedUpsert(table: "vg_transactions", columns: ["id", "connection", "account", "section", "date", "details", "amount", "balance", "investment_name", "quantity", "price", "cost", "occurrence", "raw", "observed_at"],
                             conflict: ["id"]).run(w, in: c)
        }
    }
}
