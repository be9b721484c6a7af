import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Postgres
import Projections
import Testing

@Suite struct AnalyticsProjectionTests {
    /// Recomputes each aggregate the obvious way from the log and the unified tables and
    /// compares with what the incremental projection maintained across many small batches.
    @Test func aggregatesMatchAStraightforwardRecomputation() async throws {
        try await TestDatabase.with { db in
            let h = try await ProjectionHarness.make(db)
            try await ProjectionRunnerTests.appendHousehold(h, count: 2500, seed: 5)
            try await h.fold(batchSize: 53)

            // Monthly cash flow from the unified booked transactions.
            let expectedCashflow = try await h.rows("""
                SELECT account_id::text, date_trunc('month', booking_date)::date::text, currency,
                       sum(amount) FILTER (WHERE amount >= 0)::numeric(20,2)::text, coalesce(-sum(amount) FILTER (WHERE amount < 0), 0)::numeric(20,2)::text,
                       sum(amount)::numeric(20,2)::text, count(*)::text
                FROM transactions WHERE status = 'booked' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
                """)
            let cashflow = try await h.rows("""
                SELECT account_id::text, month::text, currency, money_in::numeric(20,2)::text, money_out::numeric(20,2)::text, net::numeric(20,2)::text, transaction_count::text
                FROM analytics.monthly_cashflow ORDER BY 1, 2, 3
                """)
            #expect(cashflow.count > 3)
            #expect(cashflow == expectedCashflow)

            // Daily balances: the preferred balance of each observation, carried forward.
            var observations: [String: [(day: String, amount: String)]] = [:]
            for e in try await h.log.readBatch(after: 0, limit: 100_000, types: [EventCatalog.gocardlessBalancesObserved.name]) {
                let j = try e.json()
                let choice = BalancePreference.choose(try GoCardlessBalance.all(in: j))!
                observations[DeterministicID.string("gocardless", "account", j["account_id"]!.string!), default: []].append((choice.date!, choice.amount))
            }
            var expectedDaily: [[String?]] = []
            for (account, obs) in observations.sorted(by: { $0.key < $1.key }) {
                var byDay: [String: String] = [:]
                for o in obs { byDay[o.day] = o.amount }
                let days = byDay.keys.sorted()
                var day = days.first!
                var value = byDay[day]!
                while day <= days.last! {
                    if let v = byDay[day] { value = v }
                    expectedDaily.append([account, day, value, byDay[day] != nil ? "t" : "f"])
                    day = Self.nextDay(day)
                }
            }
            let daily = try await h.rows("SELECT account_id::text, date::text, balance::text, observed::text FROM analytics.daily_balances ORDER BY 1, 2")
            #expect(daily.count > 30)
            #expect(daily.map { [$0[0], $0[1], $0[2], $0[3] == "true" ? "t" : ($0[3] == "false" ? "f" : $0[3])] } == expectedDaily)

            // Net worth: bank balances plus investment values per day.
            let expectedNetWorth = try await h.rows("""
                SELECT date::text, currency, sum(b)::text, sum(i)::text FROM (
                  SELECT date, currency, balance AS b, 0 AS i FROM analytics.daily_balances
                  UNION ALL SELECT date, currency, 0, total_value FROM analytics.portfolio_value_daily) x
                GROUP BY 1, 2 ORDER BY 1, 2
                """)
            let netWorth = try await h.rows("SELECT date::text, currency, bank_balances::text, investment_values::text FROM analytics.net_worth_daily ORDER BY 1, 2")
            #expect(netWorth == expectedNetWorth)
            #expect(try await h.rows("SELECT count(*) FROM analytics.net_worth_daily WHERE net_worth <> bank_balances + investment_values") == [["0"]])
            #expect(try await h.rows("SELECT count(*) > 0 FROM analytics.portfolio_value_daily") == [["t"]])
        }
    }

    static func nextDay(_ day: String) -> String {
        let p = day.split(separator: "-").map { Int($0)! }
        let d = PostgresTimestamp.days(year: p[0], month: p[1], day: p[2]) + 1
        let (y, m, dd) = PostgresTimestamp.civil(fromDays: d)
        return String(format: "%04d-%02d-%02d", y, m, dd)
    }
}
