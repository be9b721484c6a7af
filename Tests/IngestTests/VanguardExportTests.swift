import Projections
import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Ingest
import Testing

@Suite("Vanguard Client Transactions Listing import")
struct VanguardExportTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/vanguard-client-transactions-listing.csv")

    static func text() throws -> String { try String(contentsOf: fixture, encoding: .utf8) }

    @Test("parses accounts, both sections, footers and empty products")
    func parsesSections() throws {
        let export = try VanguardExport.parse(try Self.text())
        #expect(export.accounts.map(\.name) == ["Jane Doe - Stocks & Shares ISA", "Jane Doe - General Account", "Jane Doe - Junior ISA"])
        let isa = export.accounts[0]
        #expect(isa.rows.filter { $0.section == .cash }.count == 10)
        #expect(isa.rows.filter { $0.section == .investment }.count == 5)
        #expect(export.accounts[1].rows.count == 14)
        #expect(export.accounts[2].rows.isEmpty)
        #expect(export.warnings.isEmpty)
        let first = try #require(VanguardCashRow(cells: isa.rows[0].cells))
        #expect(first.date == "2024-01-05")
        #expect(first.amount == Decimal(string: "20000.00"))
        #expect(first.details == .deposit("Deposit via direct credit"))
        #expect(isa.rows[0].cells["Amount"] == "20,000.00")  // kept as written
        let sale = try #require(VanguardInvestmentRow(cells: isa.rows[14].cells))
        #expect(sale.details == .sold(quantity: Decimal(string: "0.4379")!, name: "FTSE Global All Cap Index Fund - Accumulation", code: "VAFTGAG"))
        #expect(sale.unitChange == Decimal(string: "-0.4379"))
    }

    @Test("derives fund quantities and book cost from investment rows")
    func derivesHoldings() throws {
        let holdings = VanguardExportImporter.holdings(of: try VanguardExport.parse(try Self.text()))
        #expect(holdings["Jane Doe - Stocks & Shares ISA"]?.map(\.investmentName) == ["FTSE Global All Cap Index Fund - Accumulation", "LifeStrategy 80% Equity Fund - Accumulation"])
        #expect(holdings["Jane Doe - Stocks & Shares ISA"]?.map(\.quantity) == [Decimal(string: "83.5621")!, Decimal(string: "25.0312")!])
        #expect(holdings["Jane Doe - Stocks & Shares ISA"]?.map(\.bookCost) == [Decimal(string: "13618.23")!, Decimal(string: "6399.48")!])
        // Pre-October-2021 rows without details use the quantity's sign: bought 1, sold 1.
        #expect(holdings["Jane Doe - General Account"] == [.init(investmentName: "U.K. Equity Income Index Fund - Income", quantity: Decimal(string: "23.1187")!, bookCost: Decimal(string: "5053.52")!)])
        #expect(holdings["Jane Doe - Junior ISA"] == [])
    }

    @Test("importing the same export twice appends nothing; identical rows on one day stay distinct")
    func importTwice() async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            defer { conn.close() }
            let log = EventLog(connection: conn)
            let importer = VanguardExportImporter(sink: log)
            let path = Self.fixture.path
            let first = try await importer.importFile(at: path, runID: UUID())
            #expect(first.eventsAppended == 29)
            #expect(first.duplicates == 0)
            let head = try await log.headPosition()
            let second = try await importer.importFile(at: path, runID: UUID())
            #expect(second.eventsAppended == 0)
            #expect(second.duplicates == 29)
            #expect(try await log.headPosition() == head)

            let events = try await log.readBatch(after: 0, limit: 1000)
            #expect(Set(events.map(\.streamID)) == [StreamName.vanguardExport("vanguard", account: "Jane Doe - Stocks & Shares ISA"), StreamName.vanguardExport("vanguard", account: "Jane Doe - General Account")])
            let twins = try events.map { try $0.json() }.filter {
                $0["section"]?.string == "investment" && $0["row"]?["Date"]?.string == "05/02/2024"
            }
            #expect(twins.map { $0["occurrence"] } == [.number("0"), .number("1")])
            #expect(twins[0]["row"] == twins[1]["row"])
            let firstRow = try events[0].json()
            #expect(firstRow["account"]?.string == "Jane Doe - Stocks & Shares ISA")
            #expect(firstRow["row"]?["Amount"]?.string == "20,000.00")
            #expect(events[0].occurredAt == ISO8601DateFormatter().date(from: "2024-01-05T00:00:00Z"))

            // The projection can rebuild holdings from stored events alone.
            let rows = try events.map { try $0.json() }.filter { $0["section"]?.string == "investment" && $0["account"]?.string == "Jane Doe - Stocks & Shares ISA" }
                .compactMap { VanguardInvestmentRow(eventRow: $0["row"]!) }
            #expect(VanguardHoldings.derive(from: rows).map(\.quantity) == [Decimal(string: "83.5621")!, Decimal(string: "25.0312")!])
        }
    }

    @Test("edge cases: quoted thousands, BOM and LF, missing footer, no account, malformed rows")
    func edgeCases() throws {
        let lf = "\u{FEFF}My ISA\nCash Transactions\nDate,Details,Amount,Balance\n01/02/2024,\"Deposit, with comma\",\"1,234,567.89\",\"1,234,567.89\"\nOther Account\nInvestment Transactions\nNo transactions found for this product.\n"
        let e = try VanguardExport.parse(lf)
        #expect(e.accounts.map(\.name) == ["My ISA", "Other Account"])
        #expect(e.accounts[0].rows[0].cells["Details"] == "Deposit, with comma")
        #expect(VanguardCashRow(cells: e.accounts[0].rows[0].cells)?.amount == Decimal(string: "1234567.89"))
        #expect(e.warnings.count == 1)  // the cash section ended without its Balance footer

        #expect(throws: VanguardExportError.self) { try VanguardExport.parse("just,some,csv\n1,2,3\n") }
        #expect(throws: VanguardExportError.self) { try VanguardExport.parse("Cash Transactions\nDate,Details,Amount,Balance\n") }
        do {
            _ = try VanguardExport.parse("A\nCash Transactions\nDate,Details,Amount,Balance\n01/02/2024,Deposit,1,234.00,1,234.00\n")
            Issue.record("expected an error for unquoted thousands")
        } catch let error as VanguardExportError {
            #expect(error.line == 4)
        }

        #expect(VanguardExportValue.date("31/12/2024") == "2024-12-31")
        #expect(VanguardExportValue.date("29/02/2023") == nil)
        #expect(VanguardExportValue.date("12/31/2024") == nil)
        #expect(VanguardExportValue.decimalText("-2,000.00") == "-2000.00")
        #expect(VanguardExportValue.decimalText("(3.00)") == "-3.00")
        #expect(VanguardExportValue.decimalText("£12.50") == "12.50")
        #expect(VanguardExportValue.decimalText("1,55.0") == nil)
        #expect(VanguardExportValue.decimalText("Balance") == nil)
    }

    @Test("the Details grammar")
    func detailsGrammar() {
        #expect(VanguardTransactionDetails(parsing: "Bought 1,550 Foo ETF Distributing (FOO)") == .bought(quantity: 1550, name: "Foo ETF Distributing", code: "FOO"))
        #expect(VanguardTransactionDetails(parsing: "DIV: FOO.XLON.GB @ GBP 0.4106") == .dividend(code: "FOO.XLON.GB", perUnit: Decimal(string: "0.4106"), currency: "GBP"))
        #expect(VanguardTransactionDetails(parsing: "Reversal of Bought 2 Foo (FOO)") == .reversal(of: .bought(quantity: 2, name: "Foo", code: "FOO")))
        #expect(VanguardTransactionDetails(parsing: "Reversal of Bought 2 Foo (FOO)").unitDirection == -1)
        #expect(VanguardTransactionDetails(parsing: "Cash Account Interest") == .interest)
        #expect(VanguardTransactionDetails(parsing: "Regular Deposit") == .deposit("Regular Deposit"))
        #expect(VanguardTransactionDetails(parsing: "Payment by Faster - One-off withdrawal Faster") == .withdrawal("Payment by Faster - One-off withdrawal Faster"))
        #expect(VanguardTransactionDetails(parsing: "Account Fee for the period 08-Jan-2022 to 07-Apr-2022") == .fee("Account Fee for the period 08-Jan-2022 to 07-Apr-2022"))
        #expect(VanguardTransactionDetails(parsing: "NameChange: Old Fund replaced with New Fund") == .nameChange(from: "Old Fund", to: "New Fund"))
        #expect(VanguardTransactionDetails(parsing: "Something new") == .other("Something new"))

        let rows = [
            VanguardInvestmentRow(cells: ["Date": "01/01/2022", "InvestmentName": "Old Fund", "TransactionDetails": "Bought 10 Old Fund (OLD)", "Quantity": "10", "Price": "1", "Cost": "10.00"])!,
            VanguardInvestmentRow(cells: ["Date": "01/02/2022", "InvestmentName": "New Fund", "TransactionDetails": "NameChange: Old Fund replaced with New Fund", "Quantity": "0", "Price": "0", "Cost": "0"])!,
            VanguardInvestmentRow(cells: ["Date": "01/03/2022", "InvestmentName": "New Fund", "TransactionDetails": "Sold 4 New Fund (NEW)", "Quantity": "4", "Price": "1.5", "Cost": "6.00"])!,
        ]
        #expect(VanguardHoldings.derive(from: rows) == [.init(investmentName: "New Fund", quantity: 6, bookCost: 6)])
    }
}
