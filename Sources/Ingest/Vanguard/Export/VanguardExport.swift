import Projections
import Foundation

/// A parsed "Client Transactions Listing" export: per account, its cash and investment
/// rows exactly as written (cells keyed by the column headers).
///
/// The file has one block per account (a title row naming it, then a `Cash Transactions`
/// and an `Investment Transactions` section, each with a header row, data rows and a
/// `Balance,…` / `Cost,…` footer, or "No transactions found for this product.").
/// Rows are kept raw: interpreting them (``VanguardCashRow``, ``VanguardInvestmentRow``)
/// is a pure function the projections can apply to stored events too.
public struct VanguardExport: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var section: VanguardExportSection
        /// Column header → cell text, exactly as in the file.
        public var cells: [String: String]
        /// 1-based line in the file where the row starts (not stored in events: it changes
        /// between exports).
        public var line: Int
        /// Column header → 1-based line where its cell starts, when that is not ``line``
        /// (after a quoted cell holding a line break).
        public var cellLines: [String: Int] = [:]

        /// The line a person finds `column`'s cell on.
        public func line(of column: String?) -> Int { column.flatMap { cellLines[$0] } ?? line }
    }

    public struct Account: Sendable, Equatable {
        /// The title row of the account's block (e.g. `Jane Doe - Stocks & Shares ISA`), or
        /// the sheet's name when a workbook sheet has no title row.
        public var name: String
        public var rows: [Row]
        /// 1-based line of the title row (row of the sheet for a workbook; 0 when the title
        /// is the sheet's name).
        public var line: Int
        /// The workbook sheet the block is on; nil for CSV.
        public var sheet: String? = nil
    }

    public var accounts: [Account]
    /// Lines that were skipped, with why.
    public var warnings: [String]
    /// The file it was read from, as named to ``parse(_:file:)``, for error messages.
    public var file: String?

    /// Parses the CSV text of an export and validates every row (``validate()``).
    /// - Parameter file: the file's name or path, for error messages.
    /// - Throws: ``VanguardExportError`` when no account section is found, a row is
    ///   malformed, or a cell is bad (naming the line and column).
    public static func parse(_ text: String, file: String? = nil) throws -> VanguardExport {
        try parse(sheets: [ExportSheet(name: nil, lines: CSVReader.read(text))], file: file)
    }

    /// The one reader of sections, footers and account titles, for CSV lines and workbook
    /// sheets alike. A sheet starts afresh: a section left open by the previous sheet ends,
    /// and a block with no title row before its first section is named after its sheet.
    static func parse(sheets: [ExportSheet], file: String?) throws -> VanguardExport {
        var accounts: [Account] = []
        var warnings: [String] = []
        var pendingTitle: (name: String, line: Int)?
        var section: VanguardExportSection?
        var header: [String]?
        var sheetName: String?
        func place(_ line: Int) -> String { sheetName.map { "sheet \"\($0)\" row \(line)" } ?? "line \(line)" }
        func nonEmpty(_ cells: [String]) -> [String] {
            var c = cells.map { $0.trimmingCharacters(in: .whitespaces) }
            while let last = c.last, last.isEmpty { c.removeLast() }
            return c
        }

        for sheet in sheets {
            sheetName = sheet.name
            section = nil; header = nil
            pendingTitle = sheet.name.map { ($0, 0) }
            for line in sheet.lines {
                let cells = nonEmpty(line.cells)
                guard let first = cells.first else { continue }  // blank line
                if let s = VanguardExportSection(title: first), cells.count == 1 {
                    if let title = pendingTitle {
                        accounts.append(Account(name: title.name, rows: [], line: title.line, sheet: sheetName))
                        pendingTitle = nil
                    } else if accounts.isEmpty {
                        throw VanguardExportError(code: .notAnExport, file: file, sheet: sheetName, line: line.number, message: "a \"\(VanguardExportRowError.excerpt(first))\" section comes before any account title")
                    }
                    section = s; header = nil
                    continue
                }
                guard let current = section else {
                    pendingTitle = (first, line.number)  // the last free-standing line before a section names the account
                    continue
                }
                if first.lowercased().hasPrefix("no transactions found") { section = nil; header = nil; continue }
                if header == nil {
                    guard first == "Date" else {
                        throw VanguardExportError(code: .malformedRow, file: file, sheet: sheetName, line: line.number, message: "expected the \(current.rawValue) header row starting with Date, found \"\(VanguardExportRowError.excerpt(first))\"")
                    }
                    header = cells
                    continue
                }
                if first == current.footer && cells.count <= 2 { section = nil; header = nil; continue }
                if cells.count == 1, !first.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "/") }) {
                    // An account title directly after a section without footer. Any other row
                    // is data, validated below: a bad date is an error, not a title.
                    section = nil; header = nil; pendingTitle = (first, line.number)
                    warnings.append("\(place(line.number)): \(current.rawValue) section ended without its \(current.footer) footer")
                    continue
                }
                guard let header else { continue }  // set just above for every data row
                var dict: [String: String] = [:], cellLines: [String: Int] = [:]
                for (k, name) in header.enumerated() where !name.isEmpty {
                    dict[name] = k < line.cells.count ? line.cells[k].trimmingCharacters(in: .whitespaces) : ""
                    if k < line.cellLines.count, line.cellLines[k] != line.number { cellLines[name] = line.cellLines[k] }
                }
                if line.cells.count > header.count, line.cells[header.count...].contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                    throw VanguardExportError(code: .malformedRow, file: file, sheet: sheetName, line: line.number, message: "the row has more cells (\(line.cells.count)) than the header (\(header.count)); is a number missing its quotes?")
                }
                accounts[accounts.count - 1].rows.append(Row(section: current, cells: dict, line: line.number, cellLines: cellLines))
            }
        }
        guard !accounts.isEmpty else {
            throw VanguardExportError(code: .notAnExport, file: file, line: nil, message: "no \"Cash Transactions\" or \"Investment Transactions\" section found\(sheets.count > 1 || sheets.first?.name != nil ? " on any of its \(sheets.count) sheet(s)" : ""); expected Vanguard's Client Transactions Listing (Documents → Report generator), as .xlsx or CSV")
        }
        let export = VanguardExport(accounts: accounts, warnings: warnings, file: file)
        try export.validate()
        return export
    }
}
