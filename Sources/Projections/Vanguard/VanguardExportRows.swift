import CanonicalJSON
import Foundation

/// A cash row, interpreted: `Date,Details,Amount,Balance`.
public struct VanguardCashRow: Sendable, Equatable {
    /// `yyyy-mm-dd`.
    public var date: String
    public var details: VanguardTransactionDetails
    public var detailsText: String
    public var amount: Decimal
    public var balance: Decimal?

    /// Interprets raw cells (from ``VanguardExport/Row/cells`` or a stored event's `row`).
    public init?(cells: [String: String]) {
        guard let date = cells["Date"].flatMap(VanguardExportValue.date), let amount = cells["Amount"].flatMap(VanguardExportValue.decimal) else { return nil }
        self.date = date
        self.detailsText = cells["Details"] ?? ""
        self.details = VanguardTransactionDetails(parsing: detailsText)
        self.amount = amount
        self.balance = cells["Balance"].flatMap(VanguardExportValue.decimal)
    }
}

/// An investment row, interpreted: `Date,InvestmentName,TransactionDetails,Quantity,Price,Cost`.
/// Rows before October 2021 have no `TransactionDetails`.
public struct VanguardInvestmentRow: Sendable, Equatable {
    public var date: String
    public var investmentName: String
    public var details: VanguardTransactionDetails?
    /// As written (Vanguard writes sales with a positive or a negative quantity).
    public var quantity: Decimal
    public var price: Decimal?
    public var cost: Decimal?

    public init?(cells: [String: String]) {
        guard let date = cells["Date"].flatMap(VanguardExportValue.date), let name = cells["InvestmentName"], !name.isEmpty,
              let quantity = cells["Quantity"].flatMap(VanguardExportValue.decimal) else { return nil }
        self.date = date
        self.investmentName = name
        let d = cells["TransactionDetails"]?.trimmingCharacters(in: .whitespaces) ?? ""
        self.details = d.isEmpty ? nil : VanguardTransactionDetails(parsing: d)
        self.quantity = quantity
        self.price = cells["Price"].flatMap(VanguardExportValue.decimal)
        self.cost = cells["Cost"].flatMap(VanguardExportValue.decimal)
    }

    /// Units this row adds to (positive) or removes from (negative) the holding.
    /// The details decide the sign when they say; otherwise the quantity's own sign does.
    public var unitChange: Decimal {
        let magnitude = quantity < 0 ? -quantity : quantity
        switch details?.unitDirection {
        case 1: return magnitude
        case -1: return -magnitude
        default: return details == nil ? quantity : 0
        }
    }

    /// Reads the `row` of a stored `vanguard.transaction.imported` investment event.
    public init?(eventRow: JSONValue) {
        guard let o = eventRow.object else { return nil }
        var cells: [String: String] = [:]
        for (k, v) in o { if let s = v.string { cells[k] = s } }
        self.init(cells: cells)
    }
}
