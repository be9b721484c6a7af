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

    /// The preferred balance of a `balances` array, or nil when none is usable.
    public static func choose(_ balances: [JSONValue]) -> Choice? {
        var best: (rank: Int, choice: Choice)? = nil
        for b in balances {
            guard let amount = b["balanceAmount"]?["amount"]?.numberText, let currency = b["balanceAmount"]?["currency"]?.string,
                  let type = b["balanceType"]?.string else { continue }
            let rank = order.firstIndex(of: type) ?? order.count
            let date = GoCardlessTransaction.date(b["referenceDate"]) ?? GoCardlessTransaction.date(b["lastChangeDateTime"])
            let c = Choice(amount: amount, currency: currency, type: type, date: date)
            if let cur = best {
                if rank < cur.rank || (rank == cur.rank && (date ?? "") > (cur.choice.date ?? "")) { best = (rank, c) }
            } else {
                best = (rank, c)
            }
        }
        return best?.choice
    }
}
