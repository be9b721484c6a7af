import CanonicalJSON
import EventLog
import Foundation
import Postgres

extension AnalyticsProjection: ProjectionLineage {
    /// Analytics rows are keyed by unified account ids (UUIDv5 of the provider id), which are
    /// found by recomputing the id for each candidate event; day and month rules are the
    /// fold's own (`BalancePreference`, the booking date, the observation's day).
    public func lineage(table: String, row: [String: String], in c: ProjectionContext) throws -> RowLineage? {
        switch table {
        case "cashflow_entries", "monthly_cashflow":
            guard let account = row["account_id"] else { return .empty }
            let key = row["transaction_key"], month = row["month"], currency = row["currency"]
            return RowLineage(streams: try Self.accountStreams(account, balances: false, in: c),
                              eventTypes: [EventCatalog.gocardlessTransactionBooked.name, EventCatalog.enablebankingTransactionBooked.name], select: { events in
                // An entry is written when first seen or re-observed with other values; a month
                // row changes when an entry enters it or leaves it.
                var previous: [String: Entry] = [:]
                return events.filter { e in
                    guard let entry = Self.entry(e), entry.account == account else { return false }
                    let old = previous[entry.key]
                    previous[entry.key] = entry
                    if old == entry { return false }
                    if let key { return entry.key == key }
                    return (entry.month == month && entry.currency == currency) || (old.map { $0.month == month && $0.currency == currency } ?? false)
                }
            })
        case "daily_balances", "portfolio_value_daily":
            guard let account = row["account_id"], let date = row["date"].flatMap(CalendarDay.day) else { return .empty }
            let types: Set<String> = table == "daily_balances" ? [EventCatalog.gocardlessBalancesObserved.name, EventCatalog.enablebankingBalancesObserved.name]
                : [EventCatalog.trading212AccountObserved.name, EventCatalog.vanguardSubaccountObserved.name]
            let streams = table == "daily_balances" ? try Self.accountStreams(account, balances: true, in: c) : nil
            return RowLineage(streams: streams, eventTypes: types, select: { Self.seriesLineage($0, account: account, date: date) })
        case "net_worth_daily":
            // The sum of that day's series rows in that currency: the union of their lineages.
            guard let day = row["date"], let currency = row["currency"], let date = CalendarDay.day(day) else { return .empty }
            var bank: Set<String> = [], invest: Set<String> = []
            for r in try c.session.query("SELECT account_id::text FROM \(c.table("daily_balances")) WHERE date = $1::date AND currency = $2", [.text(day), .text(currency)]) { bank.insert(try r.decode(String.self, 0)) }
            for r in try c.session.query("SELECT account_id::text FROM \(c.table("portfolio_value_daily")) WHERE date = $1::date AND currency = $2", [.text(day), .text(currency)]) { invest.insert(try r.decode(String.self, 0)) }
            let all = bank.union(invest).sorted()
            return RowLineage(streams: nil, eventTypes: eventTypes.subtracting([EventCatalog.gocardlessTransactionBooked.name, EventCatalog.enablebankingTransactionBooked.name]), select: { events in
                let picked = Set(all.flatMap { a in Self.seriesLineage(events, account: a, date: date).map(\.position) })
                return events.filter { picked.contains($0.position) }
            })
        default:
            return nil
        }
    }

    /// The balances or transactions stream of a bank account (`gocardless/account/<id>/…`,
    /// `enablebanking/account/<key>/…`) for a unified account id, when the unified
    /// `accounts` table (in this schema, else the live one) knows the account; nil (search
    /// by event type) otherwise. Only narrows the search: selection re-checks every event.
    static func accountStreams(_ account: String, balances: Bool, in c: ProjectionContext) throws -> [String]? {
        for schema in [c.schema, UnifiedProjection().liveSchema] {
            let exists = try c.session.query("SELECT to_regclass($1) IS NOT NULL", [.text(ProjectionContext(session: c.session, schema: schema).table("accounts"))])
            guard exists[0].string(0) == "t" else { continue }
            let r = try c.session.query("""
                SELECT provider, provider_account_id FROM \(ProjectionContext(session: c.session, schema: schema).table("accounts"))
                WHERE id = $1::uuid AND provider IN ('gocardless', 'enablebanking')
                """, [.text(account)])
            guard r.count == 1, let pid = r[0].string(1) else { continue }
            if r[0].string(0) == "enablebanking" { return [StreamName.enablebankingAccount(pid, balances ? .balances : .transactions)] }
            return [StreamName.gocardlessAccount(pid, balances ? .balances : .transactions)]
        }
        return nil
    }

    struct Entry: Equatable { var account: String, key: String, month: String, currency: String, amount: Decimal }

    /// The cash-flow entry a booked event folds to (as `apply` computes it).
    static func entry(_ e: ProjectedEvent) -> Entry? {
        if e.type == EventCatalog.enablebankingTransactionBooked.name {
            guard let b = try? e.enableBankingBooking(), let amount = Decimal(string: b.transaction.amount, locale: Locale(identifier: "en_US_POSIX")) else { return nil }
            let day = b.transaction.date ?? CalendarDay.text(fallbackDay(e))
            return Entry(account: EnableBankingBooking.accountRowID(b.accountKey), key: b.key, month: String(day.prefix(7)) + "-01", currency: b.transaction.currency, amount: amount)
        }
        guard let pid = try? e.string("account_id"), let item = e.json["transaction"], let t = try? GoCardlessTransaction(item),
              let amount = Decimal(string: t.amount, locale: Locale(identifier: "en_US_POSIX")) else { return nil }
        let day = t.date ?? CalendarDay.text(fallbackDay(e))
        return Entry(account: UnifiedBatch.gcAccount(pid), key: GoCardlessTransaction.bookedKey(identity: t.identity, occurrence: e.json["occurrence"]?.int ?? 0),
                     month: String(day.prefix(7)) + "-01", currency: t.currency, amount: amount)
    }

    static func fallbackDay(_ e: ProjectedEvent) -> Int { CalendarDay.day(of: e.event.occurredAt ?? e.event.recordedAt) }

    /// The account and day an event observes for a daily series, as `apply` computes them.
    static func observation(_ e: ProjectedEvent) -> (account: String, day: Int)? {
        if e.type == EventCatalog.gocardlessBalancesObserved.name {
            guard let pid = try? e.string("account_id"), let choice = BalancePreference.choose((try? e.gocardlessBalances()) ?? []) else { return nil }
            return (UnifiedBatch.gcAccount(pid), choice.date.flatMap(CalendarDay.day) ?? fallbackDay(e))
        }
        if e.type == EventCatalog.enablebankingBalancesObserved.name {
            guard let key = try? e.string("account_key"), let choice = BalancePreference.choose((try? e.enableBankingBalances()) ?? []) else { return nil }
            return (EnableBankingBooking.accountRowID(key), choice.date.flatMap(CalendarDay.day) ?? fallbackDay(e))
        }
        guard let v = try? InvestmentValuation(e) else { return nil }
        return (v.account, fallbackDay(e))
    }

    /// The events that wrote (account, date) of a carried-forward series: observations of
    /// that day; the first observation after it, which carried the previous value over it;
    /// and late observations of an earlier day that corrected the carried value.
    static func seriesLineage(_ events: [ProjectedEvent], account: String, date: Int) -> [ProjectedEvent] {
        var lastDay: Int? = nil
        var observedDays = Set<Int>()
        return events.filter { e in
            guard let o = observation(e), o.account == account else { return false }
            defer {
                observedDays.insert(o.day)
                lastDay = max(lastDay ?? o.day, o.day)
            }
            if o.day == date { return true }
            guard let last = lastDay else { return false }
            if o.day > date { return last < date && last + 1 <= date }  // fills the gap (last, o.day)
            // A late observation corrects carried-forward days after it up to the next observed day.
            return o.day < last && date <= last && !observedDays.contains(date) && !observedDays.contains(where: { $0 > o.day && $0 < date })
        }
    }
}
