import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Ingest
import Postgres
import Projections
import Testing

/// One account, two sources: an export block and the session sub-account it is are one
/// unified account, paired by names or by a person (`connect vanguard --map`), and the
/// pairing (an event) survives a rebuild.
@Suite("Vanguard export blocks paired with session sub-accounts")
struct VanguardExportPairingTests {
    static let isa01 = "1234567-ISA01", gia01 = "1234567-GIA01"

    /// A session file naming two sub-accounts, registered as connection `vanguard`.
    static func registerSession(_ conn: PostgresConnection) async throws {
        let json = #"{"account_id": "1234567", "anti_forgery_token": "token-not-used-here", "cookies": [{"name": "session", "value": "cookie-not-used-here"}], "sub_accounts": [{"hierarchy_id": "\#(isa01)", "name": "Stocks & Shares ISA"}, {"hierarchy_id": "\#(gia01)", "name": "General Account"}, {"hierarchy_id": "1234567-JISA1", "name": "Junior ISA"}]}"#
        let path = try XLSXFixture.write(Data(json.utf8), name: "session.json")
        try await PostgresVanguardConnectionStore(connection: conn).register(name: "vanguard", sessionPath: path, sessionSHA256: "fingerprint")
    }

    /// What a session sync observes of the ISA: the sub-account and a snapshot of its holdings.
    static func appendSessionObservations(_ conn: PostgresConnection) async throws {
        let log = EventLog(connection: conn)
        let sub: JSONValue = ["hierarchy_id": .string(isa01), "name": "Stocks & Shares ISA", "wrapper": "ISA",
                              "valuation": ["Value": ["Amount": .number("20147.91")], "AsAt": "2024-10-12"], "cash": ["Amount": .number("2787.91")]]
        _ = try await log.appendSnapshot(NewEvent(type: EventCatalog.vanguardSubaccountObserved.latest, json: sub), to: StreamName.vanguardSubaccount("vanguard", isa01))
        let holdings: JSONValue = ["hierarchy_id": .string(isa01), "holdings": [],
                                   "positions": ["Holdings": [["ProductCode": "FOO", "Quantity": .number("1550"), "MarketValue": ["Amount": .number("17360.00")], "AverageCost": ["Amount": .number("10")]]],
                                                 "InstrumentDetails": [["ProductCode": "FOO", "Name": .string(XLSXFixture.foo), "LatestPrice": ["Amount": .number("11.20")]]]]]
        _ = try await log.appendSnapshot(NewEvent(type: EventCatalog.vanguardHoldingsObserved.latest, json: holdings), to: StreamName.vanguardHoldings("vanguard", isa01))
        let gia: JSONValue = ["hierarchy_id": .string(gia01), "name": "General Account", "wrapper": "GIA", "cash": ["Amount": .number("1101.10")]]
        _ = try await log.appendSnapshot(NewEvent(type: EventCatalog.vanguardSubaccountObserved.latest, json: gia), to: StreamName.vanguardSubaccount("vanguard", gia01))
    }

    @Test("names pair blocks with sub-accounts; a person's --map overrides and survives; rebuild gives the same tables")
    func pairedAccounts() async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            defer { conn.close() }
            try await Self.registerSession(conn)
            try await Self.appendSessionObservations(conn)
            _ = try await VanguardExportUnifiedTests.importListing(conn)
            let linker = VanguardExportLinker(connection: conn)
            #expect(try await linker.pairings().map { [$0.account, $0.link?.hierarchyID, $0.link?.by.rawValue] } == [
                ["Jane Doe - General Account", Self.gia01, "names"],
                ["Jane Doe - Junior ISA", "1234567-JISA1", "names"],
                ["Jane Doe - Stocks & Shares ISA", Self.isa01, "names"],
                ["Personal Pension", nil, nil],
            ])
            try await VanguardExportUnifiedTests.project(conn)

            // One account per sub-account: the session's values, the export's transactions;
            // the ISA's holdings are the session snapshot's (its prices win), the General
            // Account (no snapshot) has the export's units.
            #expect(try await VanguardExportUnifiedTests.rows(conn, "SELECT provider_account_id, name, balance_amount::text, total_value::text FROM accounts WHERE provider = 'vanguard' ORDER BY 1") == [
                [Self.gia01, "Vanguard General Account (GIA)", "1101.10", nil],
                [Self.isa01, "Vanguard Stocks & Shares ISA (ISA)", "2787.91", "20147.91"],
                [VanguardExportUnifiedTests.pension, "Vanguard Personal Pension (SIPP)", "199.5", "999.50"],
            ])
            #expect(try await VanguardExportUnifiedTests.rows(conn, """
                SELECT a.provider_account_id, h.ticker, h.quantity::text, h.current_price::text, h.price_date::text
                FROM holdings h JOIN accounts a ON a.id = h.account_id WHERE a.provider = 'vanguard' ORDER BY 1, 2
                """) == [
                [Self.gia01, nil, "0.5", "202.2", "2021-05-20"],
                [Self.isa01, "FOO", "1550", "11.20", nil],
                [VanguardExportUnifiedTests.pension, "VALS60A", "4", "200", "2022-02-10"],
            ])
            let perAccount = """
                SELECT a.provider_account_id, count(*)::text, sum(t.amount)::text FROM transactions t JOIN accounts a ON a.id = t.account_id
                WHERE a.provider = 'vanguard' GROUP BY 1 ORDER BY 1
                """
            #expect(try await VanguardExportUnifiedTests.rows(conn, perAccount) == [[Self.gia01, "3", "1101.1"], [Self.isa01, "9", "2787.91"], [VanguardExportUnifiedTests.pension, "3", "199.5"]])
            let cashflow = """
                SELECT a.provider_account_id, sum(m.net)::text, sum(m.transaction_count)::text FROM analytics.monthly_cashflow m JOIN accounts a ON a.id = m.account_id
                WHERE a.provider = 'vanguard' GROUP BY 1 ORDER BY 1
                """
            #expect(try await VanguardExportUnifiedTests.rows(conn, cashflow) == [[Self.gia01, "1101.1", "3"], [Self.isa01, "2787.91", "9"], [VanguardExportUnifiedTests.pension, "199.5", "3"]])

            let valued = "SELECT DISTINCT a.provider_account_id FROM analytics.portfolio_value_daily p JOIN accounts a ON a.id = p.account_id ORDER BY 1"
            #expect(try await VanguardExportUnifiedTests.rows(conn, valued) == [[VanguardExportUnifiedTests.pension]])  // paired blocks are valued by their session

            // The person says the General Account block is an account of its own, and pairs
            // the pension with nothing known: refused, naming what is known.
            #expect(try await linker.map(account: "Jane Doe - General Account", to: nil).by == .person)
            await #expect(throws: VanguardExportError.self) { try await linker.map(account: "Personal Pension", to: "1234567-SIPP9") }
            #expect(try await linker.linkByNames().isEmpty)  // names never undo a person's pairing
            try await VanguardExportUnifiedTests.project(conn)
            #expect(try await VanguardExportUnifiedTests.rows(conn, perAccount) == [
                [Self.isa01, "9", "2787.91"], [VanguardExportUnifiedTests.gia, "3", "1101.1"], [VanguardExportUnifiedTests.pension, "3", "199.5"],
            ])
            #expect(try await VanguardExportUnifiedTests.rows(conn, cashflow) == [
                [Self.isa01, "2787.91", "9"], [VanguardExportUnifiedTests.gia, "1101.1", "3"], [VanguardExportUnifiedTests.pension, "199.5", "3"],
            ])
            #expect(try await VanguardExportUnifiedTests.rows(conn, "SELECT count(*)::text FROM holdings h JOIN accounts a ON a.id = h.account_id WHERE a.provider_account_id = $1", [.text(Self.gia01)]) == [["0"]])
            #expect(try await VanguardExportUnifiedTests.rows(conn, valued) == [[VanguardExportUnifiedTests.gia], [VanguardExportUnifiedTests.pension]])
            try await VanguardExportUnifiedTests.expectRebuildEqual(conn)
        }
    }
}
