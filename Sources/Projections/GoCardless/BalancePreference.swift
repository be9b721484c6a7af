import CanonicalJSON

/// Which of an account's balances to show, by a documented preference of balance types:
/// booked balances (what has settled) before forecasts, the freshest first.
///
/// `interimBooked` › `closingBooked` › `expected` › `interimAvailable` › `closingAvailable` ›
/// `forwardAvailable` › `openingBooked` › `openingAvailable` › `previouslyClosedBooked` ›
/// `nonInvoiced` › `information` › anything else. Within a type, the latest reference date wins.
public enum BalancePreference {
    public static let order = ["interimBooked", "closingBooked", "expected", "interimAvailable", "closingAvailable",
                               "forwardAvailable", "openingBooked", "openingAvailable", "previouslyClosedBooked", "nonInvoiced", "information"]

    public struct Choice: Sendable, Equatable {
        public var amount: String
        public var currency: String
        public var type: String
        public var date: String?
    }

    /// The preferred balance of an answer, or nil when it has none.
    public static func choose(_ balances: [GoCardlessBalance]) -> Choice? {
        var best: (rank: Int, choice: Choice)? = nil
        for b in balances {
            let rank = order.firstIndex(of: b.type) ?? order.count
            let date = b.referenceDate ?? b.lastChangeDateTime.map { String($0.prefix(10)) }
            let c = Choice(amount: b.amount, currency: b.currency, type: b.type, date: date)
            if let cur = best {
                if rank < cur.rank || (rank == cur.rank && (date ?? "") > (cur.choice.date ?? "")) { best = (rank, c) }
            } else {
                best = (rank, c)
            }
        }
        return best?.choice
    }
}
