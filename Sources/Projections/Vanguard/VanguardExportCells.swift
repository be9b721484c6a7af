import CanonicalJSON
import Foundation

/// The cells of one export row (column header → text as written), read strictly: every
/// required cell must hold a value of its kind, an optional cell may be blank but not
/// unreadable, and no header or cell may hold a NUL character.
///
/// The one reader behind ``VanguardCashRow/init(validating:)`` and
/// ``VanguardInvestmentRow/init(validating:)``, so the importer refuses exactly what the
/// projection could not fold.
struct VanguardExportCells {
    let cells: [String: String]

    /// - Throws: ``VanguardExportRowError`` (`nulCharacter`) naming the column (the first by
    ///   name, as the header order is not kept) whose header or cell holds a NUL.
    init(validating cells: [String: String]) throws(VanguardExportRowError) {
        for (column, text) in cells.sorted(by: { $0.key < $1.key }) where column.utf8.contains(0) || text.utf8.contains(0) {
            throw VanguardExportRowError(code: .nulCharacter, column: column, text: text, message: "holds a NUL character; re-export the file as plain CSV")
        }
        self.cells = cells
    }

    /// The cell's text with surrounding spaces removed; nil when absent or blank.
    func text(_ column: String) -> String? {
        guard let t = cells[column]?.trimmingCharacters(in: .whitespaces), !t.isEmpty else { return nil }
        return t
    }

    func required(_ column: String) throws(VanguardExportRowError) -> String {
        guard let t = text(column) else {
            throw VanguardExportRowError(code: .missingCell, column: column, text: nil, message: cells[column] == nil ? "is missing from the header row" : "is blank; every row needs one")
        }
        return t
    }

    /// A required `dd/mm/yyyy` date, as `yyyy-mm-dd`.
    func date(_ column: String) throws(VanguardExportRowError) -> String {
        let t = try required(column)
        guard let d = VanguardExportValue.date(t) else {
            throw VanguardExportRowError(code: .notADate, column: column, text: t, message: "is not a date that exists, written dd/mm/yyyy")
        }
        return d
    }

    /// A required amount, quantity, price or cost.
    func decimal(_ column: String) throws(VanguardExportRowError) -> Decimal {
        try parsed(column, try required(column))
    }

    /// An optional amount: nil when blank or absent, an error when present but unreadable.
    func optionalDecimal(_ column: String) throws(VanguardExportRowError) -> Decimal? {
        guard let t = text(column) else { return nil }
        return try parsed(column, t)
    }

    private func parsed(_ column: String, _ t: String) throws(VanguardExportRowError) -> Decimal {
        guard let d = VanguardExportValue.decimal(t) else {
            throw VanguardExportRowError(code: .notADecimal, column: column, text: t,
                                         message: "is not a number such as 1,234.56, -0.4379 or (3.00) with at most \(DecimalRange.maxIntegerDigits) digits before the point")
        }
        return d
    }
}
