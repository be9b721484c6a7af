import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
@testable import Ingest
import Projections
import Testing

/// `finsync import vanguard FILE.xlsx`: the workbook Vanguard's report generator downloads,
/// read sheet by sheet into the rows the CSV parser reads.
@Suite("Vanguard export as .xlsx")
struct VanguardWorkbookTests {
    static func listing() throws -> VanguardExport {
        try VanguardExport.load(try XLSXFixture.listing().data(), file: "listing.xlsx")
    }

    @Test("every sheet is an account; cells read as the CSV writes them")
    func readsEverySheet() throws {
        let export = try Self.listing()
        #expect(export.accounts.map(\.name) == ["Jane Doe - Stocks & Shares ISA", "Jane Doe - General Account", "Jane Doe - Junior ISA", "Personal Pension"])
        #expect(export.accounts.map(\.sheet) == ["Stocks & Shares ISA", "General Account", "Junior ISA", "Personal Pension"])
        #expect(export.accounts.map(\.rows.count) == [15, 5, 0, 4])
        #expect(export.warnings.isEmpty)
        let isa = export.accounts[0].rows
        #expect(isa[0].cells == ["Date": "05/01/2024", "Details": "Deposit via direct credit", "Amount": "20,000.00", "Balance": "20,000.00"])
        #expect(isa[0].line == 7)  // the sheet's row
        #expect(isa[1].cells["Amount"] == "-15,500.00")
        let investments = isa.filter { $0.section == .investment }.map(\.cells)
        #expect(investments.map { $0["Date"] } == ["08/01/2024", "01/03/2024", "02/03/2024", "10/04/2024", "15/07/2024", "20/08/2024"])
        #expect(investments.map { $0["Quantity"] } == ["1,550.0000", "-500.0000", "500.0000", "100.0000", "100.0000", "10.0000"])
        #expect(investments.map { $0["Cost"] } == ["15,500.00", "(5,500.00)", "5,500.00", "£2,000.00", "", "250.00"])
        #expect(investments.map { $0["Price"] } == ["10.0000", "11.0000", "11.0000", "20.0000", "0.0000", "25.0000"])
        let gia = export.accounts[1].rows.filter { $0.section == .investment }.map(\.cells)
        #expect(gia.map { $0["TransactionDetails"] } == ["", ""])
        #expect(gia.map { $0["Quantity"] } == ["1.0000", "-0.5000"])
    }

    @Test("units, average cost: a reversed sale restores its units and their cost; a name change carries both")
    func holdings() throws {
        let holdings = VanguardExportImporter.holdings(of: try Self.listing())
        #expect(holdings["Jane Doe - Stocks & Shares ISA"] == [
            .init(investmentName: XLSXFixture.foo, quantity: 1550, bookCost: 15500),
            .init(investmentName: XLSXFixture.newFund, quantity: 110, bookCost: 2250),
        ])
        #expect(holdings["Jane Doe - General Account"] == [.init(investmentName: XLSXFixture.income, quantity: Decimal(string: "0.5")!, bookCost: 100)])
        #expect(holdings["Jane Doe - Junior ISA"] == [])
        #expect(holdings["Personal Pension"] == [.init(investmentName: XLSXFixture.lifeStrategy, quantity: 4, bookCost: 800)])
    }

    @Test("number formats and serial dates")
    func numberFormats() {
        func show(_ code: String, _ v: String) -> String { XLSXNumberFormat(id: 164, custom: [164: code]).render(v, date1904: false) }
        #expect(show("#,##0.0000", "1550") == "1,550.0000")
        #expect(show("#,##0.00", "-1234567.891") == "-1,234,567.89")
        #expect(show("#,##0.00;(#,##0.00)", "-3") == "(3.00)")
        #expect(show("\"£\"#,##0.00", "12.5") == "£12.50")
        #expect(show("[$£-809]#,##0.00", "0.125") == "£0.13")
        #expect(show("0.00##", "0.41060000000000002") == "0.4106")
        #expect(show("0%", "0.25") == "25%")
        #expect(show("dd/mm/yyyy", "45296") == "05/01/2024")
        #expect(show("d-mmm-yy", "45296.75") == "05/01/2024")
        #expect(show("[Red]#,##0.00", "2") == "2.00")
        #expect(XLSXNumberFormat(id: 0, custom: [:]).render("0.41060000000000002", date1904: false) == "0.4106")
        #expect(XLSXNumberFormat(id: 0, custom: [:]).render("1.5E-3", date1904: false) == "0.0015")
        #expect(XLSXNumberFormat(id: 0, custom: [:]).render("1E+400", date1904: false) == "1E+400")  // left for the validator to refuse
        #expect(XLSXNumberFormat(id: 14, custom: [:]).isDate)
        #expect(!XLSXNumberFormat(id: 4, custom: [:]).isDate)
        #expect(!XLSXNumberFormat.looksLikeDate("\"days\"0.00"))
        #expect(XLSXNumberFormat.looksLikeDate("[h]:mm"))
        #expect(SpreadsheetDate.text(serial: 1, date1904: false) == "01/01/1900")
        #expect(SpreadsheetDate.text(serial: 59, date1904: false) == "28/02/1900")
        #expect(SpreadsheetDate.text(serial: 60, date1904: false) == "29/02/1900")  // Excel's day that never was: refused by the validator
        #expect(SpreadsheetDate.text(serial: 61, date1904: false) == "01/03/1900")
        #expect(SpreadsheetDate.text(serial: 0, date1904: true) == "01/01/1904")
        #expect(VanguardExportValue.date("29/02/1900") == nil)
    }

    @Test("importing the workbook twice appends nothing; an overlapping later export appends only its new rows")
    func idempotentAndOverlapping() async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            defer { conn.close() }
            let log = EventLog(connection: conn)
            let importer = VanguardExportImporter(sink: log)
            let path = try XLSXFixture.write(try XLSXFixture.listing().data(), name: "listing.xlsx")
            let first = try await importer.importFile(at: path, runID: UUID())
            #expect(first.eventsAppended == 24)
            let second = try await importer.importFile(at: path, runID: UUID())
            #expect(second.eventsAppended == 0)
            #expect(second.duplicates == 24)

            // A later export of the ISA only: from March 2024 on, with two new deposits.
            var later = XLSXFixture.listing()
            let isa = later.sheets[0].rows
            let cashRows = Array(isa[8...14])  // 01/03/2024 … 11/10/2024
            let newCash = [XLSXFixture.cash("01/12/2024", "Regular Deposit", "100", "2887.91"), XLSXFixture.cash("01/12/2024", "Regular Deposit", "100", "2987.91")]
            let investmentRows = Array(isa[20...24])
            later.sheets = [XLSXFixture.Sheet(name: "ISA", rows: [["Jane Doe - Stocks & Shares ISA"], ["Cash Transactions"], XLSXFixture.cashHeader()] + cashRows + newCash
                + [["Balance", .number("2987.91", .money)], ["Investment Transactions"], XLSXFixture.investmentHeader()] + investmentRows + [["Cost", .number("17750", .money)]])]
            let laterPath = try XLSXFixture.write(try later.data(), name: "later.xlsx")
            let third = try await importer.importFile(at: laterPath, runID: UUID())
            #expect(third.eventsAppended == 2)
            #expect(third.duplicates == 12)
            let events = try await log.readBatch(after: 0, limit: 1000).map { try $0.json() }
            #expect(events.count == 26)
            #expect(events.suffix(2).map { $0["row"]?["Balance"] } == [.string("2,887.91"), .string("2,987.91")])
        }
    }
}
