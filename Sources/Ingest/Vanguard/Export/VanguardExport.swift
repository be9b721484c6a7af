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
        /// 1-based line in the file (not stored in events: it changes between exports).
        public var line: Int
    }

    public struct Account: Sendable, Equatable {
        /// The title row of the account's block (e.g. `Jane Doe - Stocks & Shares ISA`).
        public var name: String
        public var rows: [Row]
    }

    public var accounts: [Account]
    /// Lines that were skipped, with why.
    public var warnings: [String]

    /// Parses the CSV text of an export.
    /// - Throws: ``VanguardExportError`` when no account section is found or a data row is malformed.
    public static func parse(_ text: String) throws -> VanguardExport {
        var accounts: [Account] = []
        var warnings: [String] = []
        var pendingTitle: String?
        var section: VanguardExportSection?
        var header: [String]?

        func nonEmpty(_ cells: [String]) -> [String] {
            var c = cells.map { $0.trimmingCharacters(in: .whitespaces) }
            while let last = c.last, last.isEmpty { c.removeLast() }
            return c
        }

        for line in CSVReader.read(text) {
            let cells = nonEmpty(line.cells)
            guard let first = cells.first else { continue }  // blank line
            if let s = VanguardExportSection(title: first), cells.count == 1 {
                if let title = pendingTitle {
                    accounts.append(Account(name: title, rows: []))
                    pendingTitle = nil
                } else if accounts.isEmpty {
                    throw VanguardExportError(code: .notAnExport, line: line.number, message: "a \"\(first)\" section comes before any account title")
                }
                section = s; header = nil
                continue
            }
            guard let current = section else {
                pendingTitle = first  // the last free-standing line before a section names the account
                continue
            }
            if first.lowercased().hasPrefix("no transactions found") { section = nil; header = nil; continue }
            if header == nil {
                guard first == "Date" else {
                    throw VanguardExportError(code: .malformedRow, line: line.number, message: "expected the \(current.rawValue) header row starting with Date, found \"\(first)\"")
                }
                header = cells
                continue
            }
            if first == current.footer && cells.count <= 2 { section = nil; header = nil; continue }
            guard VanguardExportValue.date(first) != nil else {
                // An account title directly after a section without footer.
                section = nil; header = nil; pendingTitle = first
                warnings.append("line \(line.number): \(current.rawValue) section ended without its \(current.footer) footer")
                continue
            }
            var dict: [String: String] = [:]
            for (k, name) in header!.enumerated() where !name.isEmpty {
                dict[name] = k < line.cells.count ? line.cells[k].trimmingCharacters(in: .whitespaces) : ""
            }
            if line.cells.count > header!.count, line.cells[header!.count...].contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                throw VanguardExportError(code: .malformedRow, line: line.number, message: "the row has more cells (\(line.cells.count)) than the header (\(header!.count)); is a number missing its quotes?")
            }
            accounts[accounts.count - 1].rows.append(Row(section: current, cells: dict, line: line.number))
        }
        guard !accounts.isEmpty else {
            throw VanguardExportError(code: .notAnExport, line: nil, message: "no \"Cash Transactions\" or \"Investment Transactions\" section found; export the Client Transactions Listing from Documents → Report generator")
        }
        return VanguardExport(accounts: accounts, warnings: warnings)
    }
}
