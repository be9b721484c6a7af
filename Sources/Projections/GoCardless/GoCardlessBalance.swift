import CanonicalJSON

/// One entry of a GoCardless `balances` answer, normalised and checked: the single reading
/// of a balance shared by the extractor (before it appends) and the raw, unified and
/// analytics projections (so a balance one of them refuses, they all refuse).
public struct GoCardlessBalance: Sendable, Equatable {
    public var type: String
    /// The amount exactly as sent (a decimal within ``DecimalRange``).
    public var amount: String
    public var currency: String
    /// `YYYY-MM-DD`, when sent.
    public var referenceDate: String?
    /// `timestamptz` text, when sent.
    public var lastChangeDateTime: String?
    public var creditLimitIncluded: Bool?

    /// - Throws: a message naming the field that is missing or cannot be normalised.
    public init(_ b: JSONValue) throws(GoCardlessTransaction.Invalid) {
        guard let type = b["balanceType"]?.string, !type.isEmpty else { throw .init(description: "balanceType is missing") }
        guard let amountValue = b["balanceAmount"]?["amount"] else { throw .init(description: "balanceAmount.amount of the \(type) balance is missing") }
        guard let amount = amountValue.numberText else {
            throw .init(description: "balanceAmount.amount \(GoCardlessTransaction.excerpt(amountValue)) of the \(type) balance is not a decimal number within range")
        }
        guard let currency = b["balanceAmount"]?["currency"]?.string, !currency.isEmpty else { throw .init(description: "balanceAmount.currency of the \(type) balance is missing") }
        self.type = type
        self.amount = amount
        self.currency = currency
        referenceDate = try GoCardlessTransaction.date(b, "referenceDate")
        if let v = b["lastChangeDateTime"], !v.isNull {
            guard let t = CalendarDay.timestamp(v) else { throw .init(description: "lastChangeDateTime \(GoCardlessTransaction.excerpt(v)) is not a date-time") }
            lastChangeDateTime = t
        }
        creditLimitIncluded = b["creditLimitIncluded"]?.bool
    }

    /// Every balance of a `gocardless.balances.observed` payload (`{"account_id", "balances": [...]}`).
    public static func all(in payload: JSONValue) throws(GoCardlessTransaction.Invalid) -> [GoCardlessBalance] {
        guard let list = payload["balances"]?.array else { throw .init(description: "balances is missing or not an array") }
        var out: [GoCardlessBalance] = []
        out.reserveCapacity(list.count)
        for (i, b) in list.enumerated() {
            do { out.append(try GoCardlessBalance(b)) } catch { throw .init(description: "balance \(i): \(error.description)") }
        }
        return out
    }
}
