import Projections

/// An export that cannot be read or imported, naming the file, the line and (for a bad
/// cell) the column header and the text found there.
///
/// A file with several bad cells gives one error: the first problem, with the next ones
/// (up to ``maxReported`` in all) in ``others`` so a person can fix them in one pass.
public struct VanguardExportError: Error, Sendable, CustomStringConvertible {
    /// What went wrong; extensible.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let raw: String
        public static let notAnExport = Code(raw: "not a Client Transactions Listing")
        public static let malformedRow = Code(raw: "malformed row")
        /// A data row with a cell that is missing or not of its column's kind
        /// (``cell`` says which and why).
        public static let badCell = Code(raw: "bad cell")
        /// A file that is empty, or neither an Excel workbook (.xlsx) nor CSV text.
        public static let notReadable = Code(raw: "not an .xlsx or CSV file")
        /// An .xlsx file whose ZIP container or XML parts cannot be read.
        public static let damagedWorkbook = Code(raw: "damaged workbook")
        public var description: String { raw }
    }

    /// The most problems one error reports.
    public static let maxReported = 20

    public var code: Code
    /// The file as named to the importer, when it was read from one.
    public var file: String?
    /// The workbook sheet, for an .xlsx file; ``line`` is then the sheet's row.
    public var sheet: String?
    /// 1-based line of the file, when the problem is on one line (for a row, where it starts).
    public var line: Int?
    public var message: String
    /// For ``Code/badCell``: the column, the offending text (at most 40 characters) and what
    /// was expected.
    public var cell: VanguardExportRowError?
    /// Further problems in the same file, in file order (at most ``maxReported`` − 1).
    public var others: [VanguardExportError] = []
    /// Whether the file has more problems than the ``maxReported`` listed.
    public var moreNotListed = false

    public init(code: Code, file: String? = nil, sheet: String? = nil, line: Int?, message: String) {
        self.code = code
        self.file = file
        self.sheet = sheet
        self.line = line
        self.message = message
    }

    /// A bad cell (or account title) found on `line`.
    public init(_ cell: VanguardExportRowError, file: String?, sheet: String? = nil, line: Int) {
        self.init(code: .badCell, file: file, sheet: sheet, line: line, message: cell.description)
        self.cell = cell
    }

    /// Where in the file: `line 12`, or `sheet "ISA" row 12` in a workbook.
    public var place: String? {
        switch (sheet, line) {
        case (let sheet?, let line?) where line > 0: "sheet \"\(VanguardExportRowError.excerpt(sheet))\" row \(line)"
        case (let sheet?, _): "sheet \"\(VanguardExportRowError.excerpt(sheet))\""
        case (nil, let line?): "line \(line)"
        case (nil, nil): nil
        }
    }

    /// The column header of the bad cell, if the problem is one.
    public var column: String? { cell?.column }

    public var description: String {
        var s = "Vanguard export" + (file.map { " \($0)" } ?? "") + (place.map { " \($0)" } ?? "") + ": " + message
        if !others.isEmpty {
            s += "\n" + others.map { "  also " + ($0.place ?? "?") + ": " + $0.message }.joined(separator: "\n")
        }
        if moreNotListed { s += "\n  (only the first \(Self.maxReported) problems are listed)" }
        return s
    }
}
