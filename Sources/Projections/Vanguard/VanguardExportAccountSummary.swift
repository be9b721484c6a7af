import Foundation

/// What one account block of the export says, from all its rows stored so far: the cash
/// balance, the cash rows as transactions, and the holdings (``VanguardHoldings/positions(from:)``).
///
/// Pure, so a rebuild (or a later export overlapping an earlier one) gives the same answer
/// as the live fold: rows are taken in date order, ties in the order they were appended.
public struct VanguardExportAccountSummary: Sendable {
    /// A cash row with its stored row id.
    public struct CashEntry: Sendable, Equatable {
        public var rowID: String
        public var row: VanguardCashRow
    }

    public var cash: [CashEntry]
    public var positions: [VanguardHoldings.Position]
    /// The running balance after the latest cash row (its `Balance` cell; the sum of the
    /// amounts when the rows carry no balance); nil without cash rows.
    public var cashBalance: Decimal?
    /// `yyyy-mm-dd` of the latest cash row.
    public var cashBalanceDate: String?

    /// Cash plus each holding at its last trade price (``VanguardHoldings/Position/currentValue``),
    /// and the holdings' unrealised gain over their book cost, to the penny.
    public var valuation: (total: Decimal, unrealised: Decimal) {
        var total = cashBalance ?? 0, unrealised = Decimal(0)
        for p in positions {
            guard let value = p.currentValue else { continue }
            total += value
            unrealised += value - p.holding.bookCost
        }
        return (VanguardHoldings.pennies(total), VanguardHoldings.pennies(unrealised))
    }

    /// The block's value as of each day a row has (`yyyy-mm-dd`, ascending): the
    /// ``valuation`` of the rows up to that day. A pure function of the rows, so the
    /// portfolio series is the same however the rows were batched.
    public static func dailyValues(rows: [(rowID: String, row: VanguardExportRow)]) -> [(date: String, total: Decimal, unrealised: Decimal)] {
        func date(_ r: VanguardExportRow) -> String { switch r { case .cash(let c): c.date; case .investment(let i): i.date } }
        return Set(rows.map { date($0.row) }).sorted().map { day in
            let v = VanguardExportAccountSummary(rows: rows.filter { date($0.row) <= day }).valuation
            return (day, v.total, v.unrealised)
        }
    }

    /// - Parameter rows: the block's rows with their row ids, in the order they were appended.
    public init(rows: [(rowID: String, row: VanguardExportRow)]) {
        var cash: [CashEntry] = [], investments: [VanguardInvestmentRow] = []
        for (id, row) in rows {
            switch row {
            case .cash(let r): cash.append(CashEntry(rowID: id, row: r))
            case .investment(let r): investments.append(r)
            }
        }
        let ordered = cash.enumerated().sorted { ($0.element.row.date, $0.offset) < ($1.element.row.date, $1.offset) }.map(\.element)
        self.cash = ordered
        self.positions = VanguardHoldings.positions(from: investments)
        if let last = ordered.last {
            cashBalance = last.row.balance ?? ordered.reduce(Decimal(0)) { $0 + $1.row.amount }
            cashBalanceDate = last.row.date
        }
    }
}
