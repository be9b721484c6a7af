import CanonicalJSON

/// Hostile answers: what a broken or malicious bank can put in an otherwise well-formed
/// transactions or balances answer. Each is valid JSON that no normaliser may accept.
public enum GoCardlessHostileItem: String, CaseIterable, Sendable {
    /// `transactionAmount` is absent.
    case missingAmount
    /// `bookingDate` is a day that does not exist (`2026-02-30`).
    case impossibleDate
    /// `creditorName` holds a NUL character, which PostgreSQL's `text` refuses.
    case nulByte
    /// `transactionAmount.amount` is `1e1000000`: a JSON number, but no amount.
    case hugeExponent

    /// A booked transaction item with this defect (and a `transactionId` naming it).
    public func item(day: String = "2024-12-20") -> JSONValue {
        var o: [String: JSONValue] = [
            "transactionId": .string("hostile-\(rawValue)"), "bookingDate": .string(day), "valueDate": .string(day),
            "transactionAmount": ["amount": "-9.99", "currency": "EUR"], "creditorName": "Hostile Shop",
            "remittanceInformationUnstructured": .string("hostile \(rawValue)"),
        ]
        switch self {
        case .missingAmount: o["transactionAmount"] = nil
        case .impossibleDate: o["bookingDate"] = "2026-02-30"
        case .nulByte: o["creditorName"] = "Hostile\u{0}Shop"
        case .hugeExponent: o["transactionAmount"] = ["amount": .number("1e1000000"), "currency": "EUR"]
        }
        return .object(o)
    }
}

extension GoCardlessScenario {
    /// Adds booked items to an account's answer (e.g. ``GoCardlessHostileItem/item(day:)``).
    public func addBooked(_ items: [JSONValue], account: String) {
        state.withLock { $0.accounts[account]?.booked.append(contentsOf: items) }
    }

    /// Replaces an account's balances answer.
    public func setBalances(_ balances: [JSONValue], account: String) {
        state.withLock { $0.accounts[account]?.balances = balances }
    }
}
