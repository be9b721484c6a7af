import Foundation

/// The two kinds of table in a Client Transactions Listing (the `section` of a
/// `vanguard.transaction.imported` event is the raw value).
public enum VanguardExportSection: String, Sendable, Hashable {
    /// `Date,Details,Amount,Balance`, footer `Balance,<n>`.
    case cash
    /// `Date,InvestmentName,TransactionDetails,Quantity,Price,Cost`, footer `Cost,<n>`.
    case investment

    /// The section a title line of the export opens (`Cash Transactions`, `Investment Transactions`).
    public init?(title: String) {
        switch title.trimmingCharacters(in: .whitespaces).lowercased() {
        case "cash transactions": self = .cash
        case "investment transactions": self = .investment
        default: return nil
        }
    }

    /// The first cell of the section's closing row.
    public var footer: String { self == .cash ? "Balance" : "Cost" }
}
