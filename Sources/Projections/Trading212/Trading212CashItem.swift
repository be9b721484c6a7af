import CanonicalJSON

/// One Trading212 dividend or cash-transaction history item, normalised: the single reading
/// shared by the extractor (before it appends), the raw, unified and analytics projections.
public struct Trading212CashItem: Sendable {
    /// Trading212's reference, the item's key in its account.
    public let reference: String
    /// The amount exactly as sent (a decimal within ``DecimalRange``).
    public let amount: String
    public let currency: String?
    /// `YYYY-MM-DD` of `paidOn` (dividends) or `dateTime` (transactions), when sent.
    public let date: String?
    /// `timestamptz` text of the same field, when sent.
    public let timestamp: String?

    /// - Parameter dividend: a `trading212.dividend.observed` item (else a cash transaction).
    /// - Throws: a message naming the field that is missing or cannot be normalised.
    public init(_ j: JSONValue, dividend: Bool) throws(NormalisationError) {
        guard let reference = j["reference"]?.string, !reference.isEmpty else { throw .init(description: "reference is missing or not a string") }
        guard let amountValue = j["amount"], !amountValue.isNull else { throw .init(description: "amount is missing") }
        guard let amount = amountValue.numberText else {
            throw .init(description: "amount \(NormalisationError.excerpt(amountValue)) is not a decimal number within range")
        }
        self.reference = reference
        self.amount = amount
        currency = j["currency"]?.string
        let field = dividend ? "paidOn" : "dateTime"
        if let v = j[field], !v.isNull {
            guard let t = CalendarDay.timestamp(v) else { throw .init(description: "\(field) \(NormalisationError.excerpt(v)) is not a date-time") }
            timestamp = t
            date = String(t.prefix(10))
        } else {
            timestamp = nil
            date = nil
        }
    }
}
