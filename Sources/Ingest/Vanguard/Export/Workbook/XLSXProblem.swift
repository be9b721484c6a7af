/// What is wrong with a workbook, in words; ``VanguardExport/load(_:file:)`` turns it into a
/// ``VanguardExportError`` naming the file.
struct XLSXProblem: Error, Sendable, CustomStringConvertible {
    var description: String
    /// The ZIP is readable but is not an Excel workbook at all (rather than a damaged one).
    var notAWorkbook: Bool

    init(_ description: String, notAWorkbook: Bool = false) {
        self.description = description
        self.notAWorkbook = notAWorkbook
    }
}
