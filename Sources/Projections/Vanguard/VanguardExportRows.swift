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

    /// Interprets raw cells (from ``VanguardExport/Row/cells`` or a stored event's `row`):
    /// `Date` and `Amount` are required, `Balance` may be blank, `Details` is free text.
    /// - Throws: ``VanguardExportRowError`` naming the first bad cell.
    public init(validating cells: [String: String]) throws(VanguardExportRowError) {
        let c = try VanguardExportCells(validating: cells)
        self.date = try c.date("Date")
        self.amount = try c.decimal("Amount")
        self.balance = try c.optionalDecimal("Balance")
        self.detailsText = cells["Details"] ?? ""
        self.details = VanguardTransactionDetails(parsing: detailsText)
    }

    /// ``init(validating:)``, or nil for a row it refuses.
    public init?(cells: [String: String]) {
        guard let row = try? Self(validating: cells) else { return nil }
        self = row
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

    /// Interprets raw cells: `Date`, `InvestmentName` and `Quantity` are required, `Price`
    /// and `Cost` may be blank, `TransactionDetails` is free text (blank before October 2021).
    /// - Throws: ``VanguardExportRowError`` naming the first bad cell.
    public init(validating cells: [String: String]) throws(VanguardExportRowError) {
        let c = try VanguardExportCells(validating: cells)
        self.date = try c.date("Date")
        self.investmentName = try c.required("InvestmentName")
        self.quantity = try c.decimal("Quantity")
        self.price = try c.optionalDecimal("Price")
        self.cost = try c.optionalDecimal("Cost")
        self.details = c.text("TransactionDetails").map(VanguardTransactionDetails.init(parsing:))
    }

    /// ``init(validating:)``, or nil for a row it refuses.
    public init?(cells: [String: String]) {
        guard let row = try? Self(validating: cells) else { return nil }
        self = row
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

    /// Reads the `row` of a stored `vanguard.transaction.imported` investment event; nil
    /// when ``VanguardExportEvent/cells(ofRow:)`` or ``init(validating:)`` refuses it.
    public init?(eventRow: JSONValue) {
        guard let cells = try? VanguardExportEvent.cells(ofRow: eventRow) else { return nil }
        self.init(cells: cells)
    }
}
