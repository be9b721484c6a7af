import CanonicalJSON
import Foundation

/// One Enable Banking transaction, normalised: signed amount, dates, counterparty,
/// description and identity. The single implementation of these rules, shared by the
/// extractor (occurrence counting, refusing what cannot be normalised) and the projections.
///
/// - Sign: from `credit_debit_indicator` (`DBIT` out, `CRDT` in), whatever sign the bank
///   also put on the amount; the amount's own sign only when the indicator is missing.
/// - Identity: `tid:<entry_reference>` when the bank gave one, else the synthetic
///   `syn:<date>|<signed amount>|<currency>|<counterparty>|<description>` (the same kind as
///   GoCardless's), made unique among identical twins by the occurrence count.
public final class EnableBankingTransaction: Sendable {
    public let item: JSONValue
    public let entryReference: String?
    /// Signed decimal text (`-25.99`), as sent apart from the sign.
    public let amount: String
    public let currency: String
    /// `BOOK`, `PDNG`, … (`BOOK` when absent).
    public let status: String
    public let indicator: String?
    public let bookingDate: String?
    public let valueDate: String?
    public let transactionDate: String?
    public let counterparty: String?
    public let description: String?

    public init(_ item: JSONValue) throws(NormalisationError) {
        guard case .object = item else { throw NormalisationError(description: "transaction is not a JSON object") }
        self.item = item
        guard let amountValue = item["transaction_amount"]?["amount"], !amountValue.isNull else {
            throw NormalisationError(description: "transaction_amount.amount is missing")
        }
        guard let literal = amountValue.numberText else {
            throw NormalisationError(description: "transaction_amount.amount \(NormalisationError.excerpt(amountValue)) is not a decimal number within range")
        }
        guard let currency = item["transaction_amount"]?["currency"]?.string, !currency.isEmpty else {
            throw NormalisationError(description: "transaction_amount.currency is missing")
        }
        let indicator = item["credit_debit_indicator"]?.string?.uppercased()
        self.indicator = indicator
        amount = Self.signed(literal, indicator: indicator)
        self.currency = currency
        status = item["status"]?.string?.uppercased() ?? "BOOK"
        let ref = item["entry_reference"]?.string.map(JSONValue.trimmingWhitespace)
        entryReference = (ref?.isEmpty ?? true) ? nil : ref
        bookingDate = try Self.date(item, "booking_date")
        valueDate = try Self.date(item, "value_date")
        transactionDate = try Self.date(item, "transaction_date")
        let creditor = Self.party(item, "creditor"), debtor = Self.party(item, "debtor")
        counterparty = amount.hasPrefix("-") ? (creditor ?? debtor) : (debtor ?? creditor)
        description = Self.nonBlank(item["remittance_information"]?.array?.compactMap(\.string).joined(separator: " "))
            ?? Self.nonBlank(item["remittance_information"]?.string)
            ?? Self.nonBlank(item["bank_transaction_code"]?["description"]?.string)
    }

    /// The amount with the indicator's sign: `DBIT` negative, `CRDT` positive; the bank's
    /// own sign is dropped when an indicator is given and kept when not. Zero has no sign.
    public static func signed(_ literal: String, indicator: String?) -> String {
        var magnitude = Substring(literal)
        let negative = magnitude.hasPrefix("-")
        if negative || magnitude.hasPrefix("+") { magnitude = magnitude.dropFirst() }
        let isZero = magnitude.allSatisfy { $0 == "0" || $0 == "." || $0 == "e" || $0 == "E" || $0 == "+" || $0 == "-" }
        let out: Bool
        switch indicator {
        case "DBIT"?: out = true
        case "CRDT"?: out = false
        default: out = negative
        }
        return (out && !isZero ? "-" : "") + magnitude
    }

    /// The best date: booking, else value, else transaction date.
    public var date: String? { bookingDate ?? valueDate ?? transactionDate }

    public var isBooked: Bool { status == "BOOK" }
    /// Pending or on hold (cancelled, rejected and scheduled items are neither).
    public var isPending: Bool { status == "PDNG" || status == "HOLD" }

    public var identity: String {
        if let entryReference { return "tid:" + entryReference }
        return "syn:" + [date ?? "", amount, currency, counterparty ?? "", description ?? ""].joined(separator: "|")
    }

    /// Occurrence indexes within one answer: how many earlier items share the identity.
    public static func occurrences(_ items: [EnableBankingTransaction]) -> [Int] {
        var seen: [String: Int] = [:]
        return items.map { t in
            let n = seen[t.identity, default: 0]
            seen[t.identity] = n + 1
            return n
        }
    }

    /// A party's name, else the first address line (ING puts the counterparty there).
    static func party(_ item: JSONValue, _ key: String) -> String? {
        nonBlank(item[key]?["name"]?.string) ?? nonBlank(item[key]?["postal_address"]?["address_line"]?.array?.first?.string)
    }

    static func nonBlank(_ s: String?) -> String? { GoCardlessTransaction.nonBlank(s) }

    static func date(_ item: JSONValue, _ key: String) throws(NormalisationError) -> String? {
        do { return try GoCardlessTransaction.date(item, key) } catch { throw error }
    }
}
