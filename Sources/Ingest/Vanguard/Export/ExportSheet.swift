/// One table of an export as a person sees it: a CSV file, or one sheet of an Excel
/// workbook. ``VanguardExport/parse(sheets:file:)`` reads the sections of either from these
/// lines, so CSV and .xlsx share one parser.
struct ExportSheet: Sendable, Equatable {
    /// One row of cells, as displayed.
    struct Line: Sendable, Equatable {
        /// 1-based line of the file (CSV) or row of the sheet (.xlsx) where the row starts.
        var number: Int
        var cells: [String]
        /// 1-based line where each cell starts (later than ``number`` after a quoted CSV
        /// cell that spans lines).
        var cellLines: [Int]
    }

    /// The sheet's name in a workbook; nil for CSV. A sheet whose blocks have no title row
    /// is the account the sheet is named after.
    var name: String?
    var lines: [Line]
}
