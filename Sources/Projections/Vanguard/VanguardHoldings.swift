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

    static func pennies(_ value: Decimal) -> Decimal {
        var v = value, r = Decimal()
        NSDecimalRound(&r, &v, 2, .plain)
        return r
    }

    /// Units per fund after applying `rows` in date order (ties keep file order); funds
    /// that net to zero are left out. `NameChange: X replaced with Y` moves X's units to Y.
    public static func derive(from rows: [VanguardInvestmentRow]) -> [Holding] {
        var units: [String: Decimal] = [:], cost: [String: Decimal] = [:]
        let ordered = rows.enumerated().sorted { ($0.element.date, $0.offset) < ($1.element.date, $1.offset) }.map(\.element)
        for r in ordered {
            if case .nameChange(let from, let to) = r.details {
                let q = units.removeValue(forKey: from) ?? 0, c = cost.removeValue(forKey: from) ?? 0
                units[to, default: 0] += q
                cost[to, default: 0] += c
                continue
            }
            let change = r.unitChange
            guard change != 0 else { continue }
            let before = units[r.investmentName, default: 0]
            units[r.investmentName] = before + change
            if change > 0 {
                cost[r.investmentName, default: 0] += r.cost.map { $0 < 0 ? -$0 : $0 } ?? 0
            } else if before > 0 {
                let held = cost[r.investmentName, default: 0]
                let sold = -change > before ? before : -change
                cost[r.investmentName] = held - held * sold / before
            }
        }
        return units.filter { $0.value != 0 }.sorted { $0.key < $1.key }.map { Holding(investmentName: $0.key, quantity: $0.value, bookCost: pennies(cost[$0.key] ?? 0)) }
    }
}
