import CanonicalJSON
import Foundation

/// One GoCardless transaction item, normalised: its identity, amount, dates, counterparty
/// and description. The single implementation of these rules, shared by the extractor
/// (occurrence counting), the raw and unified projections, and analytics. A class: a
/// batch passes each one through several dictionaries and projections, and copying a
/// dozen strings each time was a visible share of a rebuild's CPU.
public final class GoCardlessTransaction: Sendable {
    public let item: JSONValue
    /// A usable bank-issued id (not blank, not `NOTPROVIDED`).
    public let transactionID: String?
    public let internalTransactionID: String?
    /// The amount exactly as sent (validated as a decimal literal).
    public let amount: String
    public let currency: String
    public let bookingDate: String?
    public let valueDate: String?
    public let creditorName: String?
    public let debtorName: String?
    public let counterparty: String?
    public let description: String?

    public typealias Invalid = NormalisationError

    public init(_ item: JSONValue) throws {
        guard case .object = item else { throw Invalid(description: "transaction is not a JSON object") }
        self.item = item
        guard let amountValue = item["transactionAmount"]?["amount"], !amountValue.isNull else {
            throw Invalid(description: "transactionAmount.amount is missing")
        }
        guard let amount = amountValue.numberText else {
            throw Invalid(description: "transactionAmount.amount \(Self.excerpt(amountValue)) is not a decimal number within range")
        }
        guard let currency = item["transactionAmount"]?["currency"]?.string, !currency.isEmpty else {
            throw Invalid(description: "transactionAmount.currency is missing")
        }
        self.amount = amount
        self.currency = currency
        let tid = item["transactionId"]?.string.map(JSONValue.trimmingWhitespace)
        transactionID = (tid?.isEmpty ?? true) || tid == "NOTPROVIDED" ? nil : tid
        internalTransactionID = item["internalTransactionId"]?.string
        bookingDate = try Self.date(item, "bookingDate") ?? Self.date(item, "bookingDateTime")
        valueDate = try Self.date(item, "valueDate") ?? Self.date(item, "valueDateTime")
        creditorName = Self.nonBlank(item["creditorName"]?.string)
        debtorName = Self.nonBlank(item["debtorName"]?.string)
        let isCredit = !amount.hasPrefix("-")
        counterparty = isCredit ? (debtorName ?? creditorName) : (creditorName ?? debtorName)
        description = Self.nonBlank(item["remittanceInformationUnstructured"]?.string)
            ?? Self.nonBlank(item["remittanceInformationUnstructuredArray"]?.array?.compactMap(\.string).joined(separator: " "))
            ?? Self.nonBlank(item["remittanceInformationStructured"]?.string)
            ?? Self.nonBlank(item["additionalInformation"]?.string)
    }

    /// `tid:<transactionId>`, or a synthetic identity from the fields that describe the
    /// transaction when the bank gave no usable id.
    public var identity: String {
        if let transactionID { return "tid:" + transactionID }
        return "syn:" + [bookingDate ?? valueDate ?? "", amount, currency, counterparty ?? "", description ?? ""].joined(separator: "|")
    }

    /// The best date for the transaction (booking, else value date).
    public var date: String? { bookingDate ?? valueDate }

    /// The key of a booked transaction in its account: identity plus its occurrence
    /// among same-identity items of one answer.
    public static func bookedKey(identity: String, occurrence: Int) -> String {
        occurrence == 0 ? identity : "\(identity)#\(occurrence)"
    }

    /// Occurrence indexes for the items of one answer: how many earlier items share the
    /// same identity. Two identical coffees on one day get 0 and 1.
    public static func occurrences(_ items: [GoCardlessTransaction]) -> [Int] {
        var seen: [String: Int] = [:]
        return items.map { t in
            let n = seen[t.identity, default: 0]
            seen[t.identity] = n + 1
            return n
        }
    }

    static func nonBlank(_ s: String?) -> String? {
        guard let s, !s.isEmpty else { return nil }
        // Fast path: most values have no surrounding whitespace.
        if let f = s.utf8.first, let l = s.utf8.last, f > 0x20, l > 0x20 { return s }
        let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
        return t.isEmpty ? nil : t
    }

    /// The `YYYY-MM-DD` date of `item[key]`: nil when absent or null, an error when present
    /// but not a day that exists (`2026-02-30`) — such a value must never reach a `date` column.
    static func date(_ item: JSONValue, _ key: String) throws(Invalid) -> String? {
        guard let v = item[key], !v.isNull else { return nil }
        guard let d = CalendarDay.date(v) else { throw Invalid(description: "\(key) \(Self.excerpt(v)) is not a date that exists") }
        return d
    }

    static func excerpt(_ v: JSONValue) -> String { NormalisationError.excerpt(v) }
}
