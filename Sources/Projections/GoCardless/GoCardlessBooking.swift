import CanonicalJSON

/// A `gocardless.transaction.booked` event resolved once for every projection that reads
/// it (raw, unified and analytics each need the same key and ids): the provider account,
/// the normalised transaction, its key in the account and the rows' deterministic ids.
public final class GoCardlessBooking: Sendable {
    /// The provider's account id.
    public let accountID: String
    public let transaction: GoCardlessTransaction
    /// Identity plus occurrence (``GoCardlessTransaction/bookedKey(identity:occurrence:)``).
    public let key: String
    /// The transaction's row id (`gc_transactions.id`, `transactions.id`).
    public let rowID: String
    /// The unified account's id (`accounts.id`).
    public let accountRowID: String

    /// - Throws: a message naming what the payload lacks.
    init(payload json: JSONValue) throws(GoCardlessTransaction.Invalid) {
        guard let account = json["account_id"]?.string, !account.isEmpty else { throw .init(description: "account_id is missing or not a string") }
        guard let item = json["transaction"] else { throw .init(description: "transaction is missing") }
        do { transaction = try GoCardlessTransaction(item) } catch let e as GoCardlessTransaction.Invalid { throw e } catch { throw .init(description: "\(error)") }
        accountID = account
        key = GoCardlessTransaction.bookedKey(identity: transaction.identity, occurrence: json["occurrence"]?.int ?? 0)
        rowID = Self.rowID(account: account, key: key)
        accountRowID = UnifiedBatch.gcAccount(account)
    }

    /// The row id of transaction `key` (booked or `pending:` key) of provider account `account`:
    /// the same in `gc_transactions` and the unified `transactions`.
    static func rowID(account: String, key: String) -> String {
        DeterministicID.string("gocardless", "transaction", account, key)
    }
}

extension ProjectedEvent {
    /// The resolved booking of a `gocardless.transaction.booked` event, or the error naming this event.
    public func booking() throws -> GoCardlessBooking { try shared(as: GoCardlessBooking.self) }
}
