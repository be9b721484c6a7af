import ArgumentParser
import Foundation
import Postgres

/// `finsync accounts`: the unified accounts with their balances and values, and holdings.
struct AccountsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "accounts", abstract: "Unified accounts with balances, values and holdings.")

    @OptionGroup var database: SettingsOptions

    func run() async throws {
        let settings = try database.resolve()
        let conn = try await settings.connect()
        defer { conn.close() }
        let (accounts, holdings) = try await conn.withSession { s -> ([[String]], [[String]]) in
            let a = try s.query("""
                SELECT a.provider, coalesce(i.name, a.provider), coalesce(a.name, a.provider_account_id), a.account_type, coalesce(a.iban, ''),
                       CASE WHEN a.account_type = 'bank' THEN
                           coalesce(a.balance_amount::text || ' ' || a.currency || ' (' || a.balance_type || coalesce(', ' || a.balance_date, '') || ')', '—')
                       ELSE coalesce('value ' || a.total_value || ' ' || coalesce(a.currency, '') || ' (cash ' || coalesce(a.balance_amount::text, '?')
                                     || ', unrealised P/L ' || coalesce(a.unrealised_pnl::text, '?') || ')', '—') END,
                       coalesce(c.status, '?')
                FROM accounts a LEFT JOIN connections c ON c.id = a.connection_id LEFT JOIN institutions i ON i.id = c.institution_id
                ORDER BY a.provider, 2, 3
                """)
            let h = try s.query("""
                SELECT coalesce(a.name, a.provider_account_id), coalesce(h.ticker, ''), coalesce(h.name, ''), h.quantity::text,
                       coalesce(h.current_value::text, ''), coalesce(h.unrealised_pnl::text, ''), coalesce(a.currency, '')
                FROM holdings h JOIN accounts a ON a.id = h.account_id ORDER BY 1, 5 DESC
                """)
            return (a.rows.map { r in (0..<7).map { r.string($0) ?? "" } }, h.rows.map { r in (0..<7).map { r.string($0) ?? "" } })
        }
        if accounts.isEmpty { print("(no accounts yet: run `finsync sync`)"); return }
        print("Accounts")
        for a in accounts {
            print("  \(a[0].padding(toLength: 11, withPad: " ", startingAt: 0)) \(a[1].prefix(22).padding(toLength: 22, withPad: " ", startingAt: 0)) \(a[2].prefix(24).padding(toLength: 24, withPad: " ", startingAt: 0)) \(a[3].padding(toLength: 10, withPad: " ", startingAt: 0)) \(a[5])  [\(a[6])]")
        }
        if !holdings.isEmpty {
            print("\nHoldings")
            for h in holdings {
                print("  \(h[0].prefix(16).padding(toLength: 16, withPad: " ", startingAt: 0)) \(h[1].padding(toLength: 10, withPad: " ", startingAt: 0)) \(h[2].prefix(30).padding(toLength: 30, withPad: " ", startingAt: 0)) qty \(h[3])  value \(h[4]) \(h[6])  P/L \(h[5])")
            }
        }
    }
}

/// `finsync transactions`: the latest unified transactions.
struct TransactionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "transactions", abstract: "The latest transactions across all accounts.")

    @OptionGroup var database: SettingsOptions
    @Option(name: [.customShort("n"), .short, .long], help: "How many (at least 1).") var limit = 15

    func validate() throws { try NumericOption.require("--limit", limit, atLeast: 1) }

    func run() async throws {
        let settings = try database.resolve()
        let conn = try await settings.connect()
        defer { conn.close() }
        let limit = self.limit
        let rows = try await conn.withSession { s in
            try s.query("""
                SELECT coalesce(t.booking_date, t.value_date)::text, t.status, t.amount::text || ' ' || t.currency, coalesce(t.counterparty, ''),
                       coalesce(t.description, ''), coalesce(a.name, a.provider_account_id)
                FROM transactions t JOIN accounts a ON a.id = t.account_id
                ORDER BY coalesce(t.booking_date, t.value_date) DESC NULLS LAST, t.amount LIMIT $1
                """, [PostgresParameter(limit)]).rows.map { r in (0..<6).map { r.string($0) ?? "" } }
        }
        if rows.isEmpty { print("(no transactions yet)"); return }
        print("Latest transactions")
        for r in rows {
            print("  \(r[0].padding(toLength: 10, withPad: " ", startingAt: 0)) \(r[1].padding(toLength: 7, withPad: " ", startingAt: 0)) \(r[2].leftPadded(14))  \(r[3].prefix(22).padding(toLength: 22, withPad: " ", startingAt: 0)) \(r[4].prefix(40).padding(toLength: 40, withPad: " ", startingAt: 0)) \(r[5].prefix(20))")
        }
    }
}
