import Foundation
import OpenAPIRuntime
import Postgres
import Projections

/// The `analytics` projection's series over a date range.
extension APIHandlers {
    /// Spend per month, currency and category, from unified's transactions with their
    /// effective categories (``AnnotatedTransactionSQL/monthlySpendByCategory(schema:)``).
    func getSpendByCategory(_ input: Operations.GetSpendByCategory.Input) async throws -> Operations.GetSpendByCategory.Output {
        var f = Filters()
        let (from, to) = try Parameters.range(from: input.query.from, to: input.query.to)
        if let from { f.add("month >= date_trunc('month', $?::date)::date", .text(from)) }
        if let to { f.add("month <= $?::date", .text(to)) }
        let sql = """
            SELECT month::text, currency, category_id::text, category, spend::text, transaction_count
            FROM (\(AnnotatedTransactionSQL.monthlySpendByCategory(schema: UnifiedProjection().liveSchema))) x \(f.whereClause) ORDER BY month, currency, category NULLS LAST
            """
        let params = f.parameters
        let items = try await pool.session { s in
            try s.query(sql, params).rows.map { r in
                Components.Schemas.SpendByCategory(month: try r.decode(String.self, 0), currency: try r.decode(String.self, 1), categoryId: r.string(2),
                                                   category: r.string(3), spend: try r.decode(String.self, 4), transactionCount: r.int(5) ?? 0)
            }
        }
        return .ok(.init(body: .json(.init(items: items))))
    }

    func getNetWorth(_ input: Operations.GetNetWorth.Input) async throws -> Operations.GetNetWorth.Output {
        let f = try Self.range(input.query.from, input.query.to, column: "date")
        let sql = "SELECT date::text, currency, bank_balances::text, investment_values::text, net_worth::text FROM analytics.net_worth_daily \(f.whereClause) ORDER BY date, currency"
        let params = f.parameters
        let items = try await pool.session { s in
            try s.query(sql, params, prepare: true).rows.map { r in
                Components.Schemas.NetWorthPoint(date: try r.decode(String.self, 0), bankBalances: try r.requiredMoney(2, 1),
                                                 investmentValues: try r.requiredMoney(3, 1), netWorth: try r.requiredMoney(4, 1))
            }
        }
        return .ok(.init(body: .json(.init(items: items))))
    }

    func getCashflow(_ input: Operations.GetCashflow.Input) async throws -> Operations.GetCashflow.Output {
        // A month is in range when it overlaps [from, to].
        var f = Filters()
        let (from, to) = try Parameters.range(from: input.query.from, to: input.query.to)
        if let from { f.add("month >= date_trunc('month', $?::date)::date", .text(from)) }
        if let to { f.add("month <= $?::date", .text(to)) }
        if let a = try Parameters.uuid(input.query.accountId, name: "account_id") { f.add("account_id = $?", PostgresParameter(a)) }
        let sql = """
            SELECT account_id, month::text, currency, money_in::text, money_out::text, net::text, transaction_count
            FROM analytics.monthly_cashflow \(f.whereClause) ORDER BY month, account_id, currency
            """
        let params = f.parameters
        let items = try await pool.session { s in
            try s.query(sql, params, prepare: true).rows.map { r in
                Components.Schemas.CashflowMonth(accountId: try r.requiredUUID(0), month: try r.decode(String.self, 1), moneyIn: try r.requiredMoney(3, 2),
                                                 moneyOut: try r.requiredMoney(4, 2), net: try r.requiredMoney(5, 2), transactionCount: r.int(6) ?? 0)
            }
        }
        return .ok(.init(body: .json(.init(items: items))))
    }

    func getBalances(_ input: Operations.GetBalances.Input) async throws -> Operations.GetBalances.Output {
        var f = try Self.range(input.query.from, input.query.to, column: "date")
        if let a = try Parameters.uuid(input.query.accountId, name: "account_id") { f.add("account_id = $?", PostgresParameter(a)) }
        let sql = "SELECT account_id, date::text, balance::text, currency, observed FROM analytics.daily_balances \(f.whereClause) ORDER BY date, account_id"
        let params = f.parameters
        let items = try await pool.session { s in
            try s.query(sql, params, prepare: true).rows.map { r in
                Components.Schemas.BalancePoint(accountId: try r.requiredUUID(0), date: try r.decode(String.self, 1), balance: try r.requiredMoney(2, 3), observed: r.bool(4) ?? true)
            }
        }
        return .ok(.init(body: .json(.init(items: items))))
    }

    func getPortfolio(_ input: Operations.GetPortfolio.Input) async throws -> Operations.GetPortfolio.Output {
        var f = try Self.range(input.query.from, input.query.to, column: "date")
        if let a = try Parameters.uuid(input.query.accountId, name: "account_id") { f.add("account_id = $?", PostgresParameter(a)) }
        let sql = """
            SELECT account_id, date::text, total_value::text, unrealised_pnl::text, currency, observed
            FROM analytics.portfolio_value_daily \(f.whereClause) ORDER BY date, account_id
            """
        let params = f.parameters
        let items = try await pool.session { s in
            try s.query(sql, params, prepare: true).rows.map { r in
                Components.Schemas.PortfolioPoint(accountId: try r.requiredUUID(0), date: try r.decode(String.self, 1), totalValue: try r.requiredMoney(2, 4),
                                                  unrealisedPnl: try r.requiredMoney(3, 4), observed: r.bool(5) ?? true)
            }
        }
        return .ok(.init(body: .json(.init(items: items))))
    }

    /// `from`/`to` as filters on a date column.
    static func range(_ from: String?, _ to: String?, column: String) throws -> Filters {
        var f = Filters()
        let (lo, hi) = try Parameters.range(from: from, to: to)
        if let lo { f.add("\(column) >= $?::date", .text(lo)) }
        if let hi { f.add("\(column) <= $?::date", .text(hi)) }
        return f
    }
}
