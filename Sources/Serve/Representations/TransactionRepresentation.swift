import Foundation
import Postgres

/// `#/components/schemas/Transaction`, written by hand in place of the generated type (the
/// generator's `typeOverrides`, see `openapi-generator-config.yaml`): the same members, the
/// same initialiser and the same JSON.
///
/// Why by hand: a page is a hundred of these, and the synthesized `Encodable` sends every
/// member through the encoder's generic path (a dynamic cast per value, a nested encoder for
/// the money, the status and the date) — about a third more encoding time than writing the
/// members through containers as strings, which is what ``encode(to:)`` does. The date is
/// written by the same formatter as every other API date (``RFC3339DateTranscoder``).
struct TransactionRepresentation: Codable, Hashable, Sendable {
    var id: String
    var accountId: String
    var providerTransactionKey: String
    var status: Components.Schemas.TransactionStatus
    var bookingDate: String?
    var valueDate: String?
    var money: Components.Schemas.Money
    var counterparty: String?
    var description: String?
    var updatedAt: Date
    /// The category's name (explicit, else from the first matching rule).
    var category: String?
    var categoryId: String?
    /// `user`, or the id of the rule that set the category.
    var categorySource: String?
    /// The person's tags and every matching rule's, sorted.
    var tags: [String]?
    var note: String?

    init(id: String, accountId: String, providerTransactionKey: String, status: Components.Schemas.TransactionStatus, bookingDate: String? = nil,
         valueDate: String? = nil, money: Components.Schemas.Money, counterparty: String? = nil, description: String? = nil, updatedAt: Date,
         category: String? = nil, categoryId: String? = nil, categorySource: String? = nil, tags: [String]? = nil, note: String? = nil) {
        self.id = id
        self.accountId = accountId
        self.providerTransactionKey = providerTransactionKey
        self.status = status
        self.bookingDate = bookingDate
        self.valueDate = valueDate
        self.money = money
        self.counterparty = counterparty
        self.description = description
        self.updatedAt = updatedAt
        self.category = category
        self.categoryId = categoryId
        self.categorySource = categorySource
        self.tags = tags
        self.note = note
    }

    /// The document's property names.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case id
        case accountId = "account_id"
        case providerTransactionKey = "provider_transaction_key"
        case status
        case bookingDate = "booking_date"
        case valueDate = "value_date"
        case money
        case counterparty
        case description
        case updatedAt = "updated_at"
        case category
        case categoryId = "category_id"
        case categorySource = "category_source"
        case tags
        case note
    }

    /// `#/components/schemas/Money`'s property names.
    enum MoneyKeys: String, CodingKey, CaseIterable {
        case amount
        case currency
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(accountId, forKey: .accountId)
        try c.encode(providerTransactionKey, forKey: .providerTransactionKey)
        try c.encode(status.rawValue, forKey: .status)
        if let bookingDate { try c.encode(bookingDate, forKey: .bookingDate) }
        if let valueDate { try c.encode(valueDate, forKey: .valueDate) }
        var m = c.nestedContainer(keyedBy: MoneyKeys.self, forKey: .money)
        try m.encode(money.amount, forKey: .amount)
        try m.encode(money.currency, forKey: .currency)
        if let counterparty { try c.encode(counterparty, forKey: .counterparty) }
        if let description { try c.encode(description, forKey: .description) }
        try c.encode(RFC3339DateTranscoder().encode(updatedAt), forKey: .updatedAt)
        if let category { try c.encode(category, forKey: .category) }
        if let categoryId { try c.encode(categoryId, forKey: .categoryId) }
        if let categorySource { try c.encode(categorySource, forKey: .categorySource) }
        if let tags {
            var t = c.nestedUnkeyedContainer(forKey: .tags)
            for tag in tags { try t.encode(tag) }
        }
        if let note { try c.encode(note, forKey: .note) }
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let statusText = try c.decode(String.self, forKey: .status)
        guard let status = Components.Schemas.TransactionStatus(rawValue: statusText) else {
            throw DecodingError.dataCorruptedError(forKey: .status, in: c, debugDescription: "unknown transaction status \(statusText.prefix(20))")
        }
        let m = try c.nestedContainer(keyedBy: MoneyKeys.self, forKey: .money)
        self.init(id: try c.decode(String.self, forKey: .id), accountId: try c.decode(String.self, forKey: .accountId),
                  providerTransactionKey: try c.decode(String.self, forKey: .providerTransactionKey), status: status,
                  bookingDate: try c.decodeIfPresent(String.self, forKey: .bookingDate), valueDate: try c.decodeIfPresent(String.self, forKey: .valueDate),
                  money: Components.Schemas.Money(amount: try m.decode(String.self, forKey: .amount), currency: try m.decode(String.self, forKey: .currency)),
                  counterparty: try c.decodeIfPresent(String.self, forKey: .counterparty), description: try c.decodeIfPresent(String.self, forKey: .description),
                  updatedAt: try RFC3339DateTranscoder().decode(try c.decode(String.self, forKey: .updatedAt)),
                  category: try c.decodeIfPresent(String.self, forKey: .category), categoryId: try c.decodeIfPresent(String.self, forKey: .categoryId),
                  categorySource: try c.decodeIfPresent(String.self, forKey: .categorySource), tags: try c.decodeIfPresent([String].self, forKey: .tags),
                  note: try c.decodeIfPresent(String.self, forKey: .note))
    }
}
