import EventLog
import FinsyncTestSupport
import Foundation
import Ingest
import Testing

/// A file that is not a readable Client Transactions Listing is one error naming the file
/// and what was expected, and nothing is appended.
@Suite("Vanguard export files that cannot be imported")
struct VanguardWorkbookErrorTests {
    struct Bad: Sendable, CustomStringConvertible {
        var description: String
        var name: String
        var code: VanguardExportError.Code
        /// Words the message must hold.
        var says: String
        var data: @Sendable () throws -> Data
    }

    static func workbook(replacing path: String, with xml: String) throws -> Data {
        try XLSXFixture.zip(XLSXFixture.listing().parts().map { $0.0 == path ? ($0.0, xml) : $0 })
    }

    static let bad: [Bad] = [
        Bad(description: "an empty file", name: "empty.xlsx", code: .notReadable, says: "is empty") { Data() },
        Bad(description: "blank lines only", name: "blank.csv", code: .notReadable, says: "is empty") { Data("\n \r\n".utf8) },
        Bad(description: "binary data", name: "photo.jpg", code: .notReadable, says: "neither an Excel workbook") { Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46]) },
        Bad(description: "an Excel 97-2003 file", name: "listing.xls", code: .notReadable, says: ".xls") { Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 504)) },
        Bad(description: "a ZIP that is no workbook", name: "archive.xlsx", code: .notReadable, says: "not an Excel workbook") { try XLSXFixture.zip([("notes.txt", "hello")]) },
        Bad(description: "a truncated workbook", name: "truncated.xlsx", code: .damagedWorkbook, says: "damaged") {
            let d = try XLSXFixture.listing().data(); return d.prefix(d.count / 2)
        },
        Bad(description: "a sheet that is not well-formed XML", name: "broken.xlsx", code: .damagedWorkbook, says: "xl/worksheets/sheet2.xml is not well-formed XML") {
            try workbook(replacing: "xl/worksheets/sheet2.xml", with: "<worksheet><sheetData><row r=\"1\"><c>")
        },
        Bad(description: "a shared string the workbook lacks", name: "strings.xlsx", code: .damagedWorkbook, says: "shared string index") {
            try workbook(replacing: "xl/worksheets/sheet3.xml", with: #"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>999</v></c></row></sheetData></worksheet>"#)
        },
        Bad(description: "another Vanguard report", name: "valuation.xlsx", code: .notAnExport, says: "Client Transactions Listing") {
            try XLSXFixture(sheets: [.init(name: "Valuation", rows: [["Portfolio valuation"], ["Fund", "Units", "Value"], ["Foo", .number("12", .units), .number("1200", .money)]])]).data()
        },
        Bad(description: "a bad cell in one sheet", name: "cell.xlsx", code: .badCell, says: "sheet \"General Account\" row 4: column \"Amount\"") {
            var f = XLSXFixture.listing()
            f.sheets[1].rows[3][2] = .text("abc")
            return try f.data()
        },
    ]

    @Test(arguments: bad) func refusedWithOneErrorAndNothingAppended(_ bad: Bad) async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            defer { conn.close() }
            let log = EventLog(connection: conn)
            let path = try XLSXFixture.write(try bad.data(), name: bad.name)
            do {
                _ = try await VanguardExportImporter(sink: log).importFile(at: path, runID: UUID())
                Issue.record("\(bad) was imported")
            } catch let e as VanguardExportError {
                #expect(e.code == bad.code, "\(e)")
                #expect(e.description.contains(path), "\(e)")
                #expect(e.description.contains(bad.says), "\(e)")
                if bad.code != .badCell { #expect(e.description.contains("expected") || e.description.contains("download the report again"), "\(e)") }
            }
            #expect(try await log.headPosition() == 0)
        }
    }
}
