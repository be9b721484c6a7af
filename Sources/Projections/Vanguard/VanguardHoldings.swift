import Foundation

/// Units of each fund held, derived from investment transactions.
///
/// A pure function over rows, so the projection can apply it to stored
/// `vanguard.transaction.imported` events (`VanguardInvestmentRow(eventRow:)` then
/// ``derive(from:)``) and get the same answer as the importer.
public enum VanguardHoldings {
    /// One fund's units in one account.
    public struct Holding: Sendable, Equatable {
        public var investmentName: String
        public var quantity: Decimal
        /// Book cost of the units still held, by the average-cost method (a sale removes
        /// its share of the cost, not its proceeds), rounded to the penny; 0 when the
        /// export gives no costs.
        public var bookCost: Decimal

        public init(investmentName: String, quantity: Decimal, bookCost: Decimal) {
            self.investmentName = investmentName
            self.quantity = quantity
            self.bookCost = bookCost
        }
    }

    /// A holding with what the export says about its price: the latest trade price (the
    /// `Price` of the fund's latest row that has one) and that row's date, and the product
    /// code its purchases and sales name (`Bought 2 Foo (FOO)` → `FOO`).
    public struct Position: Sendable, Equatable {
        public var holding: Holding
        public var productCode: String?
        public var lastPrice: Decimal?
        /// `yyyy-mm-dd` of ``lastPrice``: the price is as of that day, not today.
        public var lastPriceDate: String?

        /// Units × ``lastPrice``, to the penny; nil without a price.
        public var currentValue: Decimal? { lastPrice.map { VanguardHoldings.pennies(holding.quantity * $0) } }
    }

    static func pennies(_ value: Decimal) -> Decimal {
        var v = value, r = Decimal()
        NSDecimalRound(&r, &v, 2, .plain)
        return r
    }

    /// Units per fund after applying `rows` in date order (ties keep file order); funds
    /// that net to zero are left out. `NameChange: X replaced with Y` moves X's units to Y.
    public static func derive(from rows: [VanguardInvestmentRow]) -> [Holding] {
        positions(from: rows).map(\.holding)
    }

    /// ``derive(from:)`` with each fund's latest trade price and product code.
    ///
    /// Average cost: a purchase adds its cost; a sale removes the average cost of the units
    /// it sold; a reversed sale puts back exactly what the sale removed (the average cost
    /// when it was sold), and a reversed purchase removes the cost it had added. A name
    /// change carries units, cost and the last price to the new name.
    public static func positions(from rows: [VanguardInvestmentRow]) -> [Position] {
        var units: [String: Decimal] = [:], cost: [String: Decimal] = [:]
        var averageWhenSold: [String: Decimal] = [:]
        var price: [String: (Decimal, String)] = [:], code: [String: String] = [:]
        let ordered = rows.enumerated().sorted { ($0.element.date, $0.offset) < ($1.element.date, $1.offset) }.map(\.element)
        func magnitude(_ d: Decimal) -> Decimal { d < 0 ? -d : d }
        for r in ordered {
            if case .nameChange(let from, let to) = r.details {
                let q = units.removeValue(forKey: from) ?? 0, c = cost.removeValue(forKey: from) ?? 0
                units[to, default: 0] += q
                cost[to, default: 0] += c
                if let p = price.removeValue(forKey: from), price[to] == nil { price[to] = p }
                if let a = averageWhenSold.removeValue(forKey: from), averageWhenSold[to] == nil { averageWhenSold[to] = a }
                continue
            }
            let name = r.investmentName
            if let p = r.price, p > 0 { price[name] = (p, r.date) }
            if let c = r.details?.productCode { code[name] = c }
            let change = r.unitChange
            guard change != 0 else { continue }
            let before = units[name, default: 0]
            units[name] = before + change
            let reversed: Int? = if case .reversal(let inner)? = r.details { inner.unitDirection } else { nil }
            if change > 0 {
                if reversed == -1, let average = averageWhenSold[name] {
                    cost[name, default: 0] += average * change
                } else {
                    cost[name, default: 0] += r.cost.map(magnitude) ?? 0
                }
            } else if before > 0 {
                let held = cost[name, default: 0]
                let sold = -change > before ? before : -change
                if reversed == 1, let c = r.cost {
                    cost[name] = max(0, held - magnitude(c))
                } else {
                    averageWhenSold[name] = held / before
                    cost[name] = held - held * sold / before
                }
            }
        }
        return units.filter { $0.value != 0 }.keys.sorted().map { name in
            Position(holding: Holding(investmentName: name, quantity: units[name] ?? 0, bookCost: pennies(cost[name] ?? 0)),
                     productCode: code[name], lastPrice: price[name]?.0, lastPriceDate: price[name]?.1)
        }
    }
}
