import Projections

extension VanguardExport {
    /// Checks every account title and every row with the validators the projection applies
    /// to stored events (``VanguardExportEvent/validate(account:)``,
    /// ``VanguardExportRow/init(validating:cells:)``), so nothing is appended that the
    /// projection would refuse.
    ///
    /// - Throws: one ``VanguardExportError`` naming the file, line and column of the first
    ///   bad cell, with the next ones (up to ``VanguardExportError/maxReported`` in all) in
    ///   its `others`.
    public func validate() throws {
        var problems: [VanguardExportError] = []
        var more = false
        func record(_ cell: VanguardExportRowError, sheet: String?, line: Int) {
            if problems.count < VanguardExportError.maxReported { problems.append(VanguardExportError(cell, file: file, sheet: sheet, line: line)) } else { more = true }
        }
        for account in accounts {
            do throws(VanguardExportRowError) { try VanguardExportEvent.validate(account: account.name) } catch { record(error, sheet: account.sheet, line: account.line) }
            for row in account.rows {
                do throws(VanguardExportRowError) { _ = try VanguardExportRow(validating: row.section, cells: row.cells) } catch { record(error, sheet: account.sheet, line: row.line(of: error.column)) }
            }
        }
        guard var first = problems.first else { return }
        first.others = Array(problems.dropFirst())
        first.moreNotListed = more
        throw first
    }
}
