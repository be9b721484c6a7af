import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Ingest
import Projections
import Testing

/// Issue 18 item 2: an export with one bad cell is one error naming the file, line and
/// column, and appends nothing.
@Suite("Vanguard export validation")
struct VanguardExportValidationTests {
    /// The fixture with line `number` (1-based, as an editor shows it) rewritten.
    static func fixture(line number: Int, _ edit: (String) -> String) throws -> String {
        var lines = try VanguardExportTests.text().components(separatedBy: "\r\n")
        lines[number - 1] = edit(lines[number - 1])
        return lines.joined(separator: "\r\n")
    }

    struct BadCell: Sendable, CustomStringConvertible {
        var name: String
        var line: Int
        var column: String
        var from: String
        var to: String
        var description: String { name }
    }

    static let badCells: [BadCell] = [
        BadCell(name: "abc in a cash amount", line: 11, column: "Amount", from: "100.00,802.92", to: "abc,802.92"),
        BadCell(name: "a 200,000-digit cash amount", line: 15, column: "Amount", from: "1.48,112.40", to: String(repeating: "9", count: 200_000) + ",112.40"),
        BadCell(name: "an impossible date", line: 34, column: "Date", from: "20/05/2021", to: "31/02/2024"),
        BadCell(name: "a NUL byte in a details cell", line: 41, column: "Details", from: "Account Fee", to: "Account\u{0}Fee"),
        BadCell(name: "a bad quantity in an investment row", line: 24, column: "Quantity", from: ",2.0000,", to: ",2.O000,"),
        BadCell(name: "an unreadable optional balance", line: 12, column: "Balance", from: "902.92", to: "902..92"),
        BadCell(name: "an unreadable optional cost", line: 49, column: "Cost", from: "681.72", to: "£"),
    ]

    @Test("a file with one bad cell fails with one error naming file, line and column, and appends nothing", arguments: badCells)
    func oneBadCellAppendsNothing(_ bad: BadCell) async throws {
        let text = try Self.fixture(line: bad.line) { line in
            #expect(line.contains(bad.from), "the fixture changed: line \(bad.line) is \(line)")
            return line.replacingOccurrences(of: bad.from, with: bad.to)
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vg-bad-\(UUID().uuidString).csv").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            defer { conn.close() }
            let log = EventLog(connection: conn)
            let head = try await log.headPosition()
            do {
                let outcome = try await VanguardExportImporter(sink: log).importFile(at: path, runID: UUID())
                Issue.record("imported \(outcome.eventsAppended) rows from a file with \(bad.name)")
            } catch let error as VanguardExportError {
                #expect(error.code == .badCell)
                #expect(error.file == path)
                #expect(error.line == bad.line)
                #expect(error.column == bad.column)
                #expect(error.others.isEmpty)
                let shown = try #require(error.cell?.text)
                #expect(shown.count <= 40)
                #expect(!shown.unicodeScalars.contains("\u{0}"))
                #expect(error.description.hasPrefix("Vanguard export \(path) line \(bad.line): column \"\(bad.column)\": "))
                #expect(error.description.count < 300)
            }
            #expect(try await log.headPosition() == head)
        }
    }

    @Test("several bad cells are listed in one error, in file order")
    func severalBadCells() throws {
        var lines = try VanguardExportTests.text().components(separatedBy: "\r\n")
        lines[10] = lines[10].replacingOccurrences(of: "100.00,802.92", with: "abc,802.92")  // line 11
        lines[23] = lines[23].replacingOccurrences(of: ",2.0000,", with: ",,")  // line 24: quantity blank
        lines[46] = lines[46].replacingOccurrences(of: "20/05/2021", with: "29/02/2023")  // line 47
        do {
            _ = try VanguardExport.parse(lines.joined(separator: "\r\n"), file: "listing.csv")
            Issue.record("expected an error")
        } catch let error as VanguardExportError {
            #expect([error.line] + error.others.map(\.line) == [11, 24, 47])
            #expect([error.column] + error.others.map(\.column) == ["Amount", "Quantity", "Date"])
            #expect(error.others[0].cell?.code == .missingCell)
            #expect(error.description.contains("also line 47: column \"Date\": \"29/02/2023\" is not a date"))
        }
    }

    @Test("a data row's line is the line its bad cell is on, after quoted cells spanning LF, CRLF and CR line breaks", arguments: ["\n", "\r\n", "\r"])
    func linesAfterMultiLineCells(_ eol: String) throws {
        let text = ["Account", "Cash Transactions", "Date,Details,Amount,Balance",
                    "01/02/2024,\"Deposit\(eol)over\(eol)three lines\",1.00,1.00",  // lines 4-6
                    "02/02/2024,\"Two\(eol)lines\",\"abc\",1.00",  // lines 7-8: the amount is on line 8
                    "Balance,1.00"].joined(separator: eol)
        do {
            _ = try VanguardExport.parse(text)
            Issue.record("expected an error")
        } catch let error as VanguardExportError {
            #expect(error.line == 8)
            #expect(error.column == "Amount")
        }
    }

    @Test("a NUL in an account title names the title's line")
    func nulInAccountTitle() throws {
        do {
            _ = try VanguardExport.parse("Title\nMy\u{0}ISA\nCash Transactions\nDate,Details,Amount,Balance\n01/02/2024,Deposit,1.00,1.00\nBalance,1.00\n")
            Issue.record("expected an error")
        } catch let error as VanguardExportError {
            #expect(error.line == 2)
            #expect(error.cell?.code == .nulCharacter)
            #expect(error.column == nil)
        }
    }

    @Test("legitimate formats still read: blank optional cells, £, parentheses, pre-October-2021 rows without details")
    func lenientFormatsStillRead() throws {
        let text = "A\nCash Transactions\nDate,Details,Amount,Balance\n1/2/2024,Fee,(3.00),\n02/02/2024,Deposit,£12.50,\"£1,009.50\"\nBalance,1009.50\n"
            + "Investment Transactions\nDate,InvestmentName,TransactionDetails,Quantity,Price,Cost\n14/05/2021,Fund,,1.0000,,\nCost,0\n"
        let rows = try VanguardExport.parse(text).accounts[0].rows
        #expect(try rows.map { try VanguardExportRow(validating: $0.section, cells: $0.cells) } == [
            .cash(VanguardCashRow(cells: ["Date": "1/2/2024", "Details": "Fee", "Amount": "(3.00)", "Balance": ""])!),
            .cash(VanguardCashRow(cells: ["Date": "02/02/2024", "Details": "Deposit", "Amount": "£12.50", "Balance": "£1,009.50"])!),
            .investment(VanguardInvestmentRow(cells: ["Date": "14/05/2021", "InvestmentName": "Fund", "TransactionDetails": "", "Quantity": "1.0000", "Price": "", "Cost": ""])!),
        ])
        let fee = try VanguardCashRow(validating: rows[0].cells)
        #expect(fee.amount == -3 && fee.balance == nil && fee.date == "2024-02-01")
    }

    @Test("dates that do not exist and decimals out of range are not values")
    func values() {
        #expect(VanguardExportValue.date("29/02/2024") == "2024-02-29")
        #expect(VanguardExportValue.date("31/02/2024") == nil)
        #expect(VanguardExportValue.date("31/04/2024") == nil)
        #expect(VanguardExportValue.date("29/02/1900") == nil)
        #expect(VanguardExportValue.date("00/01/2024") == nil)
        #expect(VanguardExportValue.date("01/01/0000") == nil)
        #expect(VanguardExportValue.date("+1/01/2024") == nil)
        #expect(VanguardExportValue.date("01//2024") == nil)
        #expect(VanguardExportValue.decimalText(String(repeating: "9", count: 28) + ".5") == String(repeating: "9", count: 28) + ".5")
        #expect(VanguardExportValue.decimalText(String(repeating: "9", count: 29)) == nil)
        #expect(VanguardExportValue.decimalText(String(repeating: "9", count: 200_000)) == nil)
        #expect(VanguardExportValue.decimalText("0." + String(repeating: "1", count: 65)) == nil)
        #expect(VanguardExportValue.decimal("abc") == nil)
    }

    @Test("an excerpt is at most 40 characters with control characters escaped")
    func excerpt() {
        #expect(VanguardExportRowError.excerpt("abc") == "abc")
        #expect(VanguardExportRowError.excerpt(String(repeating: "x", count: 40)) == String(repeating: "x", count: 40))
        #expect(VanguardExportRowError.excerpt(String(repeating: "x", count: 41)) == String(repeating: "x", count: 39) + "…")
        #expect(VanguardExportRowError.excerpt("a\u{0}b") == "a\\u{0}b")
        #expect(VanguardExportRowError.excerpt(String(repeating: "\u{0}", count: 100)).count <= 40)
    }
}
