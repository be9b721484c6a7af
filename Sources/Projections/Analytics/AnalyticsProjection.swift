import CanonicalJSON
import EventLog
import Foundation
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
    public let version = 1
    public let liveSchema = "analytics"
    public let eventTypes: Set<String> = ["gocardless.balances.observed", "gocardless.transaction.booked", "trading212.account.observed", "vanguard.subaccount.observed"]
    public let tables = ["daily_balances", "monthly_cashflow", "net_worth_daily", "portfolio_value_daily", "cashflow_entries"]

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
            """)
    }

    public func apply(_ events: [ProjectedEvent], in c: ProjectionContext) throws {
        var balanceObs: [DailySeries.Observation] = []
        var portfolioObs: [DailySeries.Observation] = []
        var entries: [String: (account: String, key: String, month: String, currency: String, amount: Decimal)] = [:]
        for e in events {
            let fallbackDay = SampleDay.day(PostgresTimestamp.iso8601(e.event.occurredAt ?? e.event.recordedAt))!
            switch e.type {
            case "gocardless.balances.observed":
                let pid = try e.string("account_id")
                guard let list = e.json["balances"]?.array else { throw ProjectionError.malformed(e, "balances is missing or not an array") }
                if let choice = BalancePreference.choose(list) {
                    balanceObs.append(.init(account: UnifiedBatch.gcAccount(pid), day: choice.date.flatMap(SampleDay.day) ?? fallbackDay, values: [choice.amount], currency: choice.currency))
                }
            case "gocardless.transaction.booked":
                let pid = try e.string("account_id")
                guard let item = e.json["transaction"] else { throw ProjectionError.malformed(e, "transaction is missing") }
                let t: GoCardlessTransaction
                do { t = try GoCardlessTransaction(item) } catch { throw ProjectionError.malformed(e, "\(error)") }
                guard let amount = Decimal(string: t.amount, locale: Locale(identifier: "en_US_POSIX")) else { throw ProjectionError.malformed(e, "amount \(t.amount) is not a decimal") }
                let day = t.date ?? SampleDay.text(fallbackDay)
                let key = GoCardlessTransaction.bookedKey(identity: t.identity, occurrence: e.json["occurrence"]?.int ?? 0)
                let account = UnifiedBatch.gcAccount(pid)
                entries[account + "\u{1F}" + key] = (account, key, String(day.prefix(7)) + "-01", t.currency, amount)
            case "trading212.account.observed", "vanguard.subaccount.observed":
                if let v = try InvestmentValuation(e) {
                    portfolioObs.append(.init(account: v.account, day: fallbackDay, values: [v.totalValue, v.unrealised], currency: v.currency))
                }
            default: break
            }
        }
        var touched: [ClosedRange<Int>] = []
        if let r = try Self.balances.apply(balanceObs, in: c) { touched.append(r) }
        if let r = try Self.portfolio.apply(portfolioObs, in: c) { touched.append(r) }
        try applyCashflow(entries, in: c)
        if let lo = touched.map(\.lowerBound).min(), let hi = touched.map(\.upperBound).max() {
            _ = try c.session.query("DELETE FROM \(c.table("net_worth_daily")) WHERE date BETWEEN $1::date AND $2::date", [.text(SampleDay.text(lo)), .text(SampleDay.text(hi))])
            _ = try c.session.query("""
                INSERT INTO \(c.table("net_worth_daily")) (date, currency, bank_balances, investment_values, net_worth)
                SELECT date, currency, sum(bank), sum(invest), sum(bank) + sum(invest) FROM (
                    SELECT date, currency, balance AS bank, 0 AS invest FROM \(c.table("daily_balances")) WHERE date BETWEEN $1::date AND $2::date
                    UNION ALL
                    SELECT date, currency, 0, total_value FROM \(c.table("portfolio_value_daily")) WHERE date BETWEEN $1::date AND $2::date
                ) x GROUP BY date, currency
                """, [.text(SampleDay.text(lo)), .text(SampleDay.text(hi))])
        }
    }

    /// Adds each booked transaction to its month, or moves/adjusts it when re-observed.
    /// Sums are stored at their minimal scale (`trim_scale`), so the text of a month does not
    /// depend on how its transactions were split into batches (a rebuild equals the live fold).
    func applyCashflow(_ entries: [String: (account: String, key: String, month: String, currency: String, amount: Decimal)], in c: ProjectionContext) throws {
        guard !entries.isEmpty else { return }
        let sorted = entries.sorted(by: { $0.key < $1.key }).map(\.value)
        let old = try c.session.query("""
            SELECT e.account_id, e.transaction_key, e.month::text, e.currency, e.amount::text FROM \(c.table("cashflow_entries")) e
            JOIN unnest($1::uuid[], $2::text[]) AS k(account_id, transaction_key) USING (account_id, transaction_key)
            """, [.textArray(sorted.map(\.account)), .textArray(sorted.map(\.key))])
        var previous: [String: (month: String, currency: String, amount: Decimal)] = [:]
        for row in old { previous[row.string(0)! + "\u{1F}" + row.string(1)!] = (row.string(2)!, row.string(3)!, Decimal(string: row.string(4)!)!) }
        struct Delta { var moneyIn = Decimal(0), moneyOut = Decimal(0), count = 0 }
        var deltas: [String: Delta] = [:]
        func add(_ account: String, _ month: String, _ currency: String, _ amount: Decimal, _ sign: Int) {
            var d = deltas[account + "|" + month + "|" + currency] ?? Delta()
            let s = Decimal(sign)
            if amount >= 0 { d.moneyIn += amount * s } else { d.moneyOut += -amount * s }
            d.count += sign
            deltas[account + "|" + month + "|" + currency] = d
        }
        var w = CopyTextWriter()
        for e in sorted {
            if let p = previous[e.account + "\u{1F}" + e.key] {
                if p.month == e.month && p.currency == e.currency && p.amount == e.amount { continue }
                add(e.account, p.month, p.currency, p.amount, -1)
            }
            add(e.account, e.month, e.currency, e.amount, 1)
            w.row(e.account, e.key, e.month, e.currency, "\(e.amount)")
        }
        try StagedUpsert(table: "cashflow_entries", columns: ["account_id", "transaction_key", "month", "currency", "amount"], conflict: ["account_id", "transaction_key"]).run(w, in: c)
        guard !deltas.isEmpty else { return }
        var d = CopyTextWriter()
        for (k, v) in deltas.sorted(by: { $0.key < $1.key }) {
            let p = k.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            d.row(p[0], p[1], p[2], "\(v.moneyIn)", "\(v.moneyOut)", "\(v.moneyIn - v.moneyOut)", String(v.count))
        }
        let stage = PostgresSession.quoteIdentifier("stage_\(c.schema)_cashflow_delta")
        _ = try c.session.execute("CREATE TEMP TABLE IF NOT EXISTS \(stage) (LIKE \(c.table("monthly_cashflow"))) ON COMMIT DELETE ROWS")
        try c.session.copyIn("COPY \(stage) (account_id, month, currency, money_in, money_out, net, transaction_count) FROM STDIN", text: d)
        _ = try c.session.execute("""
            INSERT INTO \(c.table("monthly_cashflow")) AS t
            SELECT account_id, month, currency, trim_scale(money_in), trim_scale(money_out), trim_scale(net), transaction_count FROM \(stage)
            ON CONFLICT (account_id, month, currency) DO UPDATE SET money_in = trim_scale(t.money_in + EXCLUDED.money_in),
                money_out = trim_scale(t.money_out + EXCLUDED.money_out), net = trim_scale(t.net + EXCLUDED.net),
                transaction_count = t.transaction_count + EXCLUDED.transaction_count;
            DELETE FROM \(c.table("monthly_cashflow")) WHERE transaction_count = 0;
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
        case "trading212.account.observed":
            let conn = e.event.streamID.split(separator: "/").dropFirst().first.map(String.init) ?? ""
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
        case "vanguard.subaccount.observed":
            let h = try e.string("hierarchy_id")
            account = DeterministicID.string("vanguard", "account", h)
            guard let value = j["valuation"]?["Value"]?["Amount"]?.numberText ?? j["valuation"]?["Amount"]?.numberText else { return nil }
            totalValue = value
            unrealised = j["performance"]?["AmountChange"]?["Amount"]?.numberText ?? j["performance"]?["AmountChange"]?.numberText ?? "0"
            currency = "GBP"
        default:
            return nil
        }
    }
}
