import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Ingest
import Postgres
import Projections
import Testing

/// Export-only Vanguard accounts in the unified and analytics tables, from an .xlsx import:
/// exact accounts, units, average cost, prices as of the export's last trade, cash balance,
/// transactions and cash flow; an overlapping later export; a rebuild in another batch size.
@Suite("Vanguard export accounts in the unified tables")
struct VanguardExportUnifiedTests {
    static let isa = "export:vanguard:Jane Doe - Stocks & Shares ISA"
    static let gia = "export:vanguard:Jane Doe - General Account"
    static let pension = "export:vanguard:Personal Pension"

    static func rows(_ conn: PostgresConnection, _ sql: String, _ params: [PostgresParameter] = []) async throws -> [[String?]] {
        try await conn.withSession { s in
            let r = try s.query(sql, params)
            return r.rows.map { row in (0..<r.columnCount).map { row.string($0) } }
        }
    }

    /// Every projection caught up; nothing parked.
    static func project(_ conn: PostgresConnection, targets: [ProjectionTarget] = ProjectionCatalog.liveTargets, batchSize: Int = EventLog.defaultBatchSize) async throws {
        let results = try await ProjectionRunner(connection: conn).catchUp(targets, batchSize: batchSize)
        #expect(results.allSatisfy { $0.outcome == .caughtUp && $0.parked.isEmpty }, "\(results)")
    }

    /// The unified and analytics tables folded again from position 0, one event per batch,
    /// into scratch schemas, compared with the live ones.
    static func expectRebuildEqual(_ conn: PostgresConnection) async throws {
        try await project(conn, targets: [ProjectionTarget(UnifiedProjection(), schema: "again_unified"), ProjectionTarget(AnalyticsProjection(), schema: "again_analytics")], batchSize: 1)
        for (live, again, tables) in [("public", "again_unified", UnifiedProjection().tables), ("analytics", "again_analytics", AnalyticsProjection().tables)] {
            for table in tables {
                let sql = "SELECT coalesce(string_agg(t::text, '\n' ORDER BY t::text), '') FROM %@.\(table) t"
                let a = try await rows(conn, sql.replacingOccurrences(of: "%@", with: live)), b = try await rows(conn, sql.replacingOccurrences(of: "%@", with: again))
                #expect(a == b, "\(table) differs when folded one event at a time")
            }
        }
    }

    static func importListing(_ conn: PostgresConnection, _ fixture: XLSXFixture = XLSXFixture.listing(), name: String = "listing.xlsx") async throws -> ExtractorOutcome {
        let path = try XLSXFixture.write(try fixture.data(), name: name)
        let outcome = try await VanguardExportImporter(sink: EventLog(connection: conn)).importFile(at: path, runID: UUID())
        try await VanguardExportLinker(connection: conn).record(accounts: try VanguardExport.read(path: path).accounts.map(\.name))
        try await VanguardExportLinker(connection: conn).linkByNames()
        return outcome
    }

    @Test("each account block is an investment account with its units, average cost, last trade price, cash and transactions")
    func exportOnlyAccounts() async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            defer { conn.close() }
            #expect(try await Self.importListing(conn).eventsAppended == 24)
            try await Self.project(conn)

            #expect(try await Self.rows(conn, """
                SELECT provider_account_id, account_type, name, currency, balance_amount::text, balance_type, balance_date::text, total_value::text, unrealised_pnl::text, status
                FROM accounts WHERE provider = 'vanguard' ORDER BY provider_account_id
                """) == [
                [Self.gia, "investment", "Vanguard Jane Doe - General Account (GIA)", "GBP", "1101.1", "cash", "2021-05-20", "1202.20", "1.10", "active"],
                [Self.isa, "investment", "Vanguard Jane Doe - Stocks & Shares ISA (ISA)", "GBP", "2787.91", "cash", "2024-10-11", "22587.91", "2050.00", "active"],
                [Self.pension, "investment", "Vanguard Personal Pension (SIPP)", "GBP", "199.5", "cash", "2022-04-08", "999.50", "0.00", "active"],
            ])
            #expect(try await Self.rows(conn, """
                SELECT a.provider_account_id, h.ticker, h.name, h.quantity::text, h.average_cost::text, h.current_price::text, h.current_value::text,
                       h.unrealised_pnl::text, h.price_date::text, h.currency
                FROM holdings h JOIN accounts a ON a.id = h.account_id WHERE a.provider = 'vanguard' ORDER BY 1, 3
                """) == [
                [Self.gia, nil, XLSXFixture.income, "0.5", "200", "202.2", "101.10", "1.10", "2021-05-20", "GBP"],
                [Self.isa, "FOO", XLSXFixture.foo, "1550", "10", "11", "17050.00", "1550.00", "2024-03-02", "GBP"],
                [Self.isa, "NEWF", XLSXFixture.newFund, "110", "20.454545", "25", "2750.00", "500.00", "2024-08-20", "GBP"],
                [Self.pension, "VALS60A", XLSXFixture.lifeStrategy, "4", "200", "200", "800.00", "0.00", "2022-02-10", "GBP"],
            ])
            #expect(try await Self.rows(conn, """
                SELECT a.provider_account_id, count(*)::text, sum(t.amount)::text, min(t.booking_date)::text, max(t.booking_date)::text, bool_and(t.provider_transaction_key LIKE 'export:%')::text
                FROM transactions t JOIN accounts a ON a.id = t.account_id WHERE a.provider = 'vanguard' GROUP BY 1 ORDER BY 1
                """) == [
                [Self.gia, "3", "1101.1", "2021-05-14", "2021-05-20", "true"],
                [Self.isa, "9", "2787.91", "2024-01-05", "2024-10-11", "true"],
                [Self.pension, "3", "199.5", "2022-02-01", "2022-04-08", "true"],
            ])
            #expect(try await Self.rows(conn, "SELECT t.description, t.amount::text, t.status FROM transactions t JOIN accounts a ON a.id = t.account_id WHERE a.provider_account_id = $1 AND booking_date = '2024-03-02'", [.text(Self.isa)])
                    == [["Reversal of Sold 500.0000 \(XLSXFixture.foo) (FOO)", "-5500", "booked"]])
            #expect(try await Self.rows(conn, """
                SELECT m.month::text, m.money_in::text, m.money_out::text, m.net::text, m.transaction_count::text
                FROM analytics.monthly_cashflow m JOIN accounts a ON a.id = m.account_id WHERE a.provider_account_id = $1 ORDER BY 1
                """, [.text(Self.isa)]) == [
                ["2024-01-01", "20000", "15500", "4500", "2"],
                ["2024-03-01", "5501.48", "5500", "1.48", "3"],
                ["2024-04-01", "0", "2000", "-2000", "1"],
                ["2024-06-01", "636.43", "0", "636.43", "1"],
                ["2024-08-01", "0", "250", "-250", "1"],
                ["2024-10-01", "0", "100", "-100", "1"],
            ])

            // The pension's value on each day its rows have (carried forward between them).
            #expect(try await Self.rows(conn, """
                SELECT p.date::text, p.total_value::text, p.unrealised_pnl::text FROM analytics.portfolio_value_daily p JOIN accounts a ON a.id = p.account_id
                WHERE a.provider_account_id = $1 AND p.observed ORDER BY 1
                """, [.text(Self.pension)]) == [["2022-02-01", "1000.00", "0.00"], ["2022-02-10", "1000.00", "0.00"], ["2022-04-08", "999.50", "0.00"]])
            #expect(try await Self.rows(conn, "SELECT count(*)::text FROM analytics.portfolio_value_daily p JOIN accounts a ON a.id = p.account_id WHERE a.provider_account_id = $1", [.text(Self.pension)]) == [["67"]])
            #expect(try await Self.rows(conn, "SELECT investment_values::text FROM analytics.net_worth_daily WHERE date = '2024-10-11'") == [["22587.91"]])

            // A later export overlapping the first: only its new rows are added, and the
            // account is derived again from all of them.
            var later = XLSXFixture.listing()
            later.sheets = [XLSXFixture.Sheet(name: "ISA", rows: [["Jane Doe - Stocks & Shares ISA"], ["Cash Transactions"], XLSXFixture.cashHeader(),
                                                                  XLSXFixture.cash("11/10/2024", "Payment by Faster - One-off withdrawal Faster", "-100", "2787.91"),
                                                                  XLSXFixture.cash("02/12/2024", "Bought 5.0000 \(XLSXFixture.foo) (FOO)", "-60", "2727.91"),
                                                                  ["Balance", .number("2727.91", .money)], ["Investment Transactions"], XLSXFixture.investmentHeader(),
                                                                  XLSXFixture.investment("02/12/2024", XLSXFixture.foo, "Bought 5.0000 \(XLSXFixture.foo) (FOO)", .number("5", .units), "12", .number("60", .money)),
                                                                  ["Cost", .number("60", .money)]])]
            #expect(try await Self.importListing(conn, later, name: "later.xlsx").eventsAppended == 2)
            try await Self.project(conn)
            #expect(try await Self.rows(conn, "SELECT balance_amount::text, balance_date::text, total_value::text FROM accounts WHERE provider_account_id = $1", [.text(Self.isa)])
                    == [["2727.91", "2024-12-02", "24137.91"]])
            #expect(try await Self.rows(conn, "SELECT h.quantity::text, h.average_cost::text, h.current_price::text, h.price_date::text FROM holdings h JOIN accounts a ON a.id = h.account_id WHERE a.provider_account_id = $1 AND h.ticker = 'FOO'", [.text(Self.isa)])
                    == [["1555", "10.006431", "12", "2024-12-02"]])
            #expect(try await Self.rows(conn, "SELECT count(*)::text FROM transactions t JOIN accounts a ON a.id = t.account_id WHERE a.provider_account_id = $1", [.text(Self.isa)]) == [["10"]])
            try await Self.expectRebuildEqual(conn)
        }
    }
}
