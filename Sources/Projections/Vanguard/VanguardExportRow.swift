/// One data row of a Client Transactions Listing, interpreted by its section and validated:
/// what the importer checks every row against before appending anything, and what
/// `InvestmentsRawProjection` folds.
public enum VanguardExportRow: Sendable, Equatable {
    case cash(VanguardCashRow)
    case investment(VanguardInvestmentRow)

    /// - Throws: ``VanguardExportRowError`` naming the first bad cell.
    public init(validating section: VanguardExportSection, cells: [String: String]) throws(VanguardExportRowError) {
        switch section {
        case .cash: self = .cash(try VanguardCashRow(validating: cells))
        case .investment: self = .investment(try VanguardInvestmentRow(validating: cells))
        }
    }
}
