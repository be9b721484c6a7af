import CanonicalJSON
import EventLog
import Foundation
import OrderedCollections
import Postgres

/// Analytics aggregates in their own schema (`analytics` when live), maintained
/// incrementally per batch — never recomputed from scratch:
/// - `daily_balances` (account, date, balance): the preferred balance, carried forward;
/// - `monthly_cashflow` (account, month, money in, money out, net, count): booked
///   transactions, adjusted by deltas when a transaction is re-observed with new values;
/// - `portfolio_value_daily` (account, date, total value, unrealised P/L), carried forward;
/// - `net_worth_daily` (date, currency, bank balances + investment values), recomputed only
///   for the days a batch changed. A day's net worth covers the accounts observed up to it.
public struct AnalyticsProjection: Projection {
    public init() {}
    public let name = "analytics"
    public let version = 2
    public let liveSchema = "analytics"
    public let eventTypes: Set<String> = [EventCatalog.gocardlessBalancesObserved.name, EventCatalog.gocardlessTransactionBooked.name, EventCatalog.trading212AccountObserved.name, EventCatalog.vanguardHoldingsObserved.name,
                                                  EventCatalog.trading212DividendObserved.name, EventCatalog.trading212TransactionObserved.name,
                                                  EventCatalog.enablebankingBalancesObserved.name, EventCatalog.enablebankingTransactionBooked.name,
                                                  EventCatalog.vanguardTransactionImported.name, EventCatalog.vanguardExportLinked.name]
    public let tables = ["daily_balances", "monthly_cashflow", "net_worth_daily", "portfolio_value_daily", "cashflow_entries", "vanguard_export_links", "vanguard_export_value_rows"]

    static let balances = DailySeries(table: "daily_balances", valueColumns: ["balance"])
    static let portfolio = DailySeries(table: "portfolio_value_daily", valueColumns: ["total_value", "unrealised_pnl"])

    public func createTables(in c: ProjectionContext) throws {
        _ = try c.session.execute("""
            CREATE TABLE IF NOT EXISTS \(c.table("daily_balances")) (
                account_id uuid NOT NULL, date date NOT NULL, balance numeric NOT NULL, currency text NOT NULL,
                observed boolean NOT NULL, PRIMARY KEY (account_id, date));
            CREATE TABLE IF NOT EXISTS \(c.table("portfolio_value_daily")) (
                account_id uuid NOT NULL, date date NOT NULL, total_value numeric(18,2) NOT NULL, unrealised_pnl numeric(18,2) NOT NULL,
                currency text NOT NULL, observed boolean NOT NULL, PRIMARY KEY (account_id, date));
            CREATE TABLE IF NOT EXISTS \(c.table("monthly_cashflow")) (
                account_id uuid NOT NULL, month date NOT NULL, currency text NOT NULL, money_in numeric NOT NULL, money_out numeric NOT NULL,
                net numeric NOT NULL, transaction_count integer NOT NULL, PRIMARY KEY (account_id, month, currency));
            CREATE TABLE IF NOT EXISTS \(c.table("net_worth_daily")) (
                date date NOT NULL, currency text NOT NULL, bank_balances numeric NOT NULL, investment_values numeric NOT NULL,
                net_worth numeric NOT NULL, PRIMARY KEY (date, currency));
            CREATE TABLE IF NOT EXISTS \(c.table("cashflow_entries")) (
                account_id uuid NOT NULL, transaction_key text NOT NULL, month date NOT NULL, currency text NOT NULL,
                amount numeric NOT NULL, PRIMARY KEY (account_id, transaction_key));
            CREATE TABLE IF NOT EXISTS \(c.table("vanguard_export_links")) (
                export_account uuid PRIMARY KEY, connection text NOT NULL, account text NOT NULL, target_account uuid NOT NULL);
            \(AnalyticsVanguardExport.rowStore.createTable(in: c))
            """)
    }

    public func apply(_ events: [ProjectedEvent], in c: ProjectionContext) throws {
        var balanceObs: [DailySeries.Observation] = []
        var portfolioObs: [DailySeries.Observation] = []
        var entries: OrderedDictionary<String, (account: String, key: String, month: String, currency: String, amount: String)> = [:]
        var vanguardExport = AnalyticsVanguardExport()
        for e in events {
            let fallbackDay = CalendarDay.day(of: e.event.occurredAt ?? e.event.recordedAt)
            switch e.type {
            case EventCatalog.gocardlessBalancesObserved.name:
                let pid = try e.string("account_id")
                if let choice = BalancePreference.choose(try e.gocardlessBalances()) {
                    balanceObs.append(.init(account: UnifiedBatch.gcAccount(pid), day: choice.date.flatMap(CalendarDay.day) ?? fallbackDay, values: [choice.amount], currency: choice.currency))
                }
            case EventCatalog.gocardlessTransactionBooked.name:
                let b = try e.booking(), t = b.transaction
                let day = t.date ?? CalendarDay.text(fallbackDay)
                entries[b.accountRowID + "\u{1F}" + b.key] = (b.accountRowID, b.key, String(day.prefix(7)) + "-01", t.currency, t.amount)
            case EventCatalog.enablebankingBalancesObserved.name:
                let account = EnableBankingBooking.accountRowID(try e.string("account_key"))
                if let choice = BalancePreference.choose(try e.enableBankingBalances()) {
                    balanceObs.append(.init(account: account, day: choice.date.flatMap(CalendarDay.day) ?? fallbackDay, values: [choice.amount], currency: choice.currency))
                }
            case EventCatalog.enablebankingTransactionBooked.name:
                let b = try e.enableBankingBooking(), t = b.transaction
                let account = EnableBankingBooking.accountRowID(b.accountKey)
                let day = t.date ?? CalendarDay.text(fallbackDay)
                entries[account + "\u{1F}" + b.key] = (account, b.key, String(day.prefix(7)) + "-01", t.currency, t.amount)
            case EventCatalog.trading212DividendObserved.name, EventCatalog.trading212TransactionObserved.name:
                // Dividends and cash movements count as the trading account's cash flow, keyed
                // as in the unified transactions.
                let conn = StreamName.connection(of: e.event.streamID)
                let item = try e.trading212CashItem()
                let day = item.date ?? CalendarDay.text(fallbackDay)
                let key = (e.type == EventCatalog.trading212DividendObserved.name ? "dividend:" : "cash:") + item.reference
                let account = UnifiedBatch.t212Account(conn)
                entries[account + "\u{1F}" + key] = (account, key, String(day.prefix(7)) + "-01", item.currency ?? "GBP", item.amount)
            case EventCatalog.vanguardTransactionImported.name, EventCatalog.vanguardExportLinked.name:
                try vanguardExport.fold(e)
            case EventCatalog.trading212AccountObserved.name, EventCatalog.vanguardHoldingsObserved.name:
                if let v = try InvestmentValuation(e) {
                    portfolioObs.append(.init(account: v.account, day: fallbackDay, values: [v.totalValue, v.unrealised], currency: v.currency))
                }
            default: break
            }
        }
        let vanguard = try vanguardExport.apply(in: c)
        portfolioObs += vanguard.observations
        var touched: [ClosedRange<Int>] = vanguard.cleared.map { [$0] } ?? []
        if let r = try Self.balances.apply(balanceObs, in: c) { touched.append(r) }
        if let r = try Self.portfolio.apply(portfolioObs, in: c) { touched.append(r) }
        for x in vanguard.entries { entries[x.account + "\u{1F}" + x.key] = x }
        try applyCashflow(entries, in: c)
        if let lo = touched.map(\.lowerBound).min(), let hi = touched.map(\.upperBound).max() {
            _ = try c.session.query("DELETE FROM \(c.table("net_worth_daily")) WHERE date BETWEEN $1::date AND $2::date", [.text(CalendarDay.text(lo)), .text(CalendarDay.text(hi))])
            _ = try c.session.query("""
                INSERT INTO \(c.table("net_worth_daily")) (date, currency, bank_balances, investment_values, net_worth)
                SELECT date, currency, sum(bank), sum(invest), sum(bank) + sum(invest) FROM (
                    SELECT date, currency, balance AS bank, 0 AS invest FROM \(c.table("daily_balances")) WHERE date BETWEEN $1::date AND $2::date
                    UNION ALL
                    SELECT date, currency, 0, total_value FROM \(c.table("portfolio_value_daily")) WHERE date BETWEEN $1::date AND $2::date
                ) x GROUP BY date, currency
                """, [.text(CalendarDay.text(lo)), .text(CalendarDay.text(hi))])
        }
    }

    /// Adds a CTE's `deltas (account_id, month, currency, amount, sign)` to the monthly sums
    /// (the one home of that arithmetic; rows left with no transactions are deleted after).
    static func monthlyDeltaUpsert(_ monthly: String) -> String {
        """
        INSERT INTO \(monthly) AS t (account_id, month, currency, money_in, money_out, net, transaction_count)
        SELECT account_id, month, currency, sum(CASE WHEN amount >= 0 THEN amount * sign ELSE 0 END),
               sum(CASE WHEN amount < 0 THEN -amount * sign ELSE 0 END), sum(amount * sign), sum(sign)
        FROM deltas GROUP BY account_id, month, currency
        ON CONFLICT (account_id, month, currency) DO UPDATE SET money_in = t.money_in + EXCLUDED.money_in,
            money_out = t.money_out + EXCLUDED.money_out, net = t.net + EXCLUDED.net,
            transaction_count = t.transaction_count + EXCLUDED.transaction_count
        """
    }

    /// Adds each booked transaction to its month, or moves/adjusts it when re-observed.
    /// The arithmetic runs in SQL: `numeric` sums keep the largest scale of their inputs
    /// whatever the grouping, so results do not depend on batch boundaries.
    func applyCashflow(_ entries: OrderedDictionary<String, (account: String, key: String, month: String, currency: String, amount: String)>, in c: ProjectionContext) throws {
        guard !entries.isEmpty else { return }
        var w = CopyTextWriter()
        for e in entries.values { w.row(e.account, e.key, e.month, e.currency, e.amount) }
        let stage = PostgresSession.quoteIdentifier("stage_\(c.schema)_cashflow_new")
        let entriesTable = c.table("cashflow_entries"), monthly = c.table("monthly_cashflow")
        _ = try c.session.execute("CREATE TEMP TABLE IF NOT EXISTS \(stage) (LIKE \(entriesTable))")
        try c.session.copyIn("COPY \(stage) (account_id, transaction_key, month, currency, amount) FROM STDIN", text: w)
        _ = try c.session.execute("""
            WITH changed AS (
                SELECT n.*, o.month AS old_month, o.currency AS old_currency, o.amount AS old_amount, o.account_id IS NOT NULL AS existed
                FROM \(stage) n LEFT JOIN LATERAL (
                    -- One index probe per staged entry (OFFSET 0 keeps the planner from
                    -- hashing the whole entries table for a batch of a few thousand).
                    SELECT * FROM \(entriesTable) o WHERE o.account_id = n.account_id AND o.transaction_key = n.transaction_key OFFSET 0) o ON true
                WHERE o.account_id IS NULL OR (o.month, o.currency, o.amount) IS DISTINCT FROM (n.month, n.currency, n.amount)),
            deltas AS (
                SELECT account_id, month, currency, amount, 1 AS sign FROM changed
                UNION ALL SELECT account_id, old_month, old_currency, old_amount, -1 FROM changed WHERE existed)
            \(Self.monthlyDeltaUpsert(monthly));
            DELETE FROM \(monthly) WHERE transaction_count = 0;
            INSERT INTO \(entriesTable) AS t SELECT * FROM \(stage)
            ON CONFLICT (account_id, transaction_key) DO UPDATE SET month = EXCLUDED.month, currency = EXCLUDED.currency, amount = EXCLUDED.amount;
            TRUNCATE \(stage)
            """)
    }
}

/// The value of an investment account as one observation says it.
struct InvestmentValuation {
    var account: String
    var totalValue: String
    var unrealised: String
    var currency: String

    /// nil when the observation carries no valuation.
    init?(_ e: ProjectedEvent) throws {
        let j = e.json
        switch e.type {
        case EventCatalog.trading212AccountObserved.name:
            let conn = StreamName.connection(of: e.event.streamID)
            account = DeterministicID.string("trading212", "account", conn)
            if let s = j["summary"], s.object != nil {
                guard let total = s["totalValue"]?.numberText else { throw ProjectionError.malformed(e, "summary.totalValue is missing") }
                totalValue = total
                unrealised = s["investments"]?["unrealizedProfitLoss"]?.numberText ?? "0"
                currency = s["currency"]?.string ?? "GBP"
            } else if let cash = j["cash"], cash.object != nil {
                guard let total = cash["total"]?.numberText else { throw ProjectionError.malformed(e, "cash.total is missing") }
                totalValue = total
                unrealised = cash["ppl"]?.numberText ?? "0"
                currency = j["info"]?["currencyCode"]?.string ?? "GBP"
            } else { return nil }
        case EventCatalog.vanguardHoldingsObserved.name:
            // The instrument valuation lists every fund and the cash: together, the account's value.
            let h = try e.string("hierarchy_id")
            account = DeterministicID.string("vanguard", "account", h)
            let values = (j["holdings"]?.array ?? []).compactMap { VanguardMoney.amount($0["Value"]).flatMap { Decimal(string: $0) } }
            guard !values.isEmpty else { return nil }
            totalValue = "\(values.reduce(Decimal(0), +))"
            let pnl = VanguardPosition.all(in: j).compactMap { $0.unrealisedPnL.flatMap { Decimal(string: $0) } }
            unrealised = "\(pnl.reduce(Decimal(0), +))"
            currency = "GBP"
        default:
            return nil
        }
    }
}
