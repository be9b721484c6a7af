import CanonicalJSON

/// Enable Banking balances (ISO 20022 codes) read in GoCardless's terms, so one
/// ``BalancePreference`` chooses every bank's balance:
///
/// | Enable Banking | GoCardless / preference |
/// |---|---|
/// | `ITBD` interim booked | `interimBooked` (1st) |
/// | `CLBD` closing booked | `closingBooked` (2nd) |
/// | `XPCD` expected | `expected` (3rd) |
/// | `ITAV` interim available | `interimAvailable` (4th) |
/// | `CLAV` closing available | `closingAvailable` (5th) |
/// | `FWAV` forward available | `forwardAvailable` (6th) |
/// | `OPBD` opening booked | `openingBooked` (7th) |
/// | `OPAV` opening available | `openingAvailable` (8th) |
/// | `PRCD` previously closed booked | `previouslyClosedBooked` (9th) |
/// | `INFO` information | `information` (11th) |
/// | `VALU`, `OTHR`, anything else | kept as sent, after all of the above |
public enum EnableBankingBalance {
    public static let typeNames: [String: String] = [
        "ITBD": "interimBooked", "CLBD": "closingBooked", "XPCD": "expected", "ITAV": "interimAvailable", "CLAV": "closingAvailable",
        "FWAV": "forwardAvailable", "OPBD": "openingBooked", "OPAV": "openingAvailable", "PRCD": "previouslyClosedBooked", "INFO": "information",
    ]

    /// Each balance of an `enablebanking.balances.observed` payload (`{"account_key", "balances": [...]}`)
    /// as a checked ``GoCardlessBalance`` (type mapped, amount, currency, dates).
    public static func all(in payload: JSONValue) throws(NormalisationError) -> [GoCardlessBalance] {
        guard let list = payload["balances"]?.array else { throw .init(description: "balances is missing or not an array") }
        var out: [GoCardlessBalance] = []
        for (i, b) in list.enumerated() {
            let code = b["balance_type"]?.string ?? ""
            var o: [String: JSONValue] = ["balanceType": .string(typeNames[code] ?? code)]
            if let amount = b["balance_amount"] {
                o["balanceAmount"] = .object(["amount": amount["amount"] ?? .null, "currency": amount["currency"] ?? .null])
            }
            if let d = b["reference_date"] { o["referenceDate"] = d }
            if let t = b["last_change_date_time"] { o["lastChangeDateTime"] = t }
            do { out.append(try GoCardlessBalance(.object(o))) } catch { throw .init(description: "balance \(i): \(error.description)") }
        }
        return out
    }
}
