/// A page of transactions written as JSON text directly (``JSONText``): the members and
/// values `JSONEncoder` writes for ``Components/Schemas/TransactionPage`` (checked by
/// `TransactionPageJSONTests`), at a fraction of its cost. Property names come from the
/// coding keys, so each is still spelled once.
extension Components.Schemas.TransactionPage {
    var jsonText: [UInt8] {
        var out = JSONText(capacity: 64 + items.count * 512)
        out.raw("{")
        out.key(CodingKeys.items)
        out.raw("[")
        for (i, item) in items.enumerated() {
            if i > 0 { out.raw(",") }
            item.write(to: &out)
        }
        out.raw("]")
        if let nextCursor {
            out.raw(",")
            out.key(CodingKeys.nextCursor)
            out.string(nextCursor)
        }
        out.raw("}")
        return out.bytes
    }
}

extension TransactionRepresentation {
    /// The members ``encode(to:)`` writes, in its order.
    func write(to out: inout JSONText) {
        out.raw("{")
        member(.id, id, to: &out, first: true)
        member(.accountId, accountId, to: &out)
        member(.providerTransactionKey, providerTransactionKey, to: &out)
        member(.status, status.rawValue, to: &out)
        member(.bookingDate, bookingDate, to: &out)
        member(.valueDate, valueDate, to: &out)
        out.raw(",")
        out.key(CodingKeys.money)
        out.raw("{")
        out.key(MoneyKeys.amount)
        out.string(money.amount)
        out.raw(",")
        out.key(MoneyKeys.currency)
        out.string(money.currency)
        out.raw("}")
        member(.counterparty, counterparty, to: &out)
        member(.description, description, to: &out)
        member(.updatedAt, RFC3339DateTranscoder().encode(updatedAt), to: &out)
        member(.category, category, to: &out)
        member(.categoryId, categoryId, to: &out)
        member(.categorySource, categorySource, to: &out)
        if let tags {
            out.raw(",")
            out.key(CodingKeys.tags)
            out.raw("[")
            for (i, tag) in tags.enumerated() {
                if i > 0 { out.raw(",") }
                out.string(tag)
            }
            out.raw("]")
        }
        member(.note, note, to: &out)
        out.raw("}")
    }

    private func member(_ key: CodingKeys, _ value: String?, to out: inout JSONText, first: Bool = false) {
        guard let value else { return }
        if !first { out.raw(",") }
        out.key(key)
        out.string(value)
    }
}
