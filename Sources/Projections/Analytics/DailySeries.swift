import Foundation
import Postgres

/// A per-account daily series with values carried forward over days without an
/// observation (`analytics.daily_balances`, `analytics.portfolio_value_daily`).
///
/// Maintained incrementally: an observation fills the days since the account's last
/// stored day with the last value, then sets its own day. A late observation for an
/// earlier day also corrects the carried-forward days after it, up to the next observed day.
struct DailySeries {
    let table: String
    /// Value columns (numeric), in order.
    let valueColumns: [String]

    struct Observation {
        var account: String
        var day: Int
        var values: [String]
        var currency: String
    }

    /// Applies observations (in event order); returns the range of days whose values changed.
    func apply(_ observations: [Observation], in c: ProjectionContext) throws -> ClosedRange<Int>? {
        guard !observations.isEmpty else { return nil }
        let accounts = Array(Set(observations.map(\.account))).sorted()
        let cols = valueColumns.joined(separator: ", ")
        var last: [String: (day: Int, values: [String], currency: String)] = [:]
        let r = try c.session.query("""
            SELECT a.id, x.day, x.currency, \(valueColumns.map { "x." + $0 }.joined(separator: ", "))
            FROM unnest($1::uuid[]) AS a(id) CROSS JOIN LATERAL (
                SELECT date - DATE '1970-01-01' AS day, currency, \(cols) FROM \(c.table(table)) t
                WHERE t.account_id = a.id ORDER BY t.date DESC LIMIT 1) x
            """, [.textArray(accounts)])
        for row in r {
            last[try row.decode(String.self, 0)] = (Int(try row.decode(Int64.self, 1)), valueColumns.indices.map { row.string(3 + $0) ?? "0" }, row.string(2) ?? "")
        }
        var rows: [String: (account: String, day: Int, values: [String], currency: String, observed: Bool)] = [:]
        var late: [Observation] = []
        var lo = Int.max, hi = Int.min
        for o in observations {
            lo = min(lo, o.day); hi = max(hi, o.day)
            if let l = last[o.account], o.day <= l.day {
                if o.day < l.day { late.append(o) }
            } else if let l = last[o.account], o.day > l.day + 1 {
                for d in (l.day + 1)..<o.day { rows["\(o.account)|\(d)"] = (o.account, d, l.values, l.currency, false) }
                lo = min(lo, l.day + 1)
            }
            rows["\(o.account)|\(o.day)"] = (o.account, o.day, o.values, o.currency, true)
            if o.day >= (last[o.account]?.day ?? Int.min) { last[o.account] = (o.day, o.values, o.currency) }
        }
        var w = CopyTextWriter()
        for (_, x) in rows.sorted(by: { $0.key < $1.key }) {
            for v in [x.account, CalendarDay.text(x.day)] + x.values + [x.currency, x.observed ? "t" : "f"] { w.add(v) }
            w.endRow()
        }
        try StagedUpsert(table: table, columns: ["account_id", "date"] + valueColumns + ["currency", "observed"], conflict: ["account_id", "date"]).run(w, in: c)
        for o in late {
            let sets = valueColumns.enumerated().map { "\($0.element) = $\($0.offset + 3)::numeric" }.joined(separator: ", ")
            let upd = try c.session.query("""
                UPDATE \(c.table(table)) t SET \(sets) WHERE t.account_id = $1::uuid AND t.date > $2::date AND NOT t.observed
                AND t.date < coalesce((SELECT min(date) FROM \(c.table(table)) n WHERE n.account_id = $1::uuid AND n.date > $2::date AND n.observed), 'infinity')
                RETURNING date - DATE '1970-01-01'
                """, [.text(o.account), .text(CalendarDay.text(o.day))] + o.values.map { PostgresParameter.text($0) })
            for row in upd { hi = max(hi, Int(try row.decode(Int64.self, 0))) }
        }
        return lo <= hi ? lo...hi : nil
    }
}
