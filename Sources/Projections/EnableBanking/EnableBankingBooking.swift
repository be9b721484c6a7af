import CanonicalJSON
import EventLog

/// What the raw and unified projections both derive from an `enablebanking.*` transaction
/// event: the account key, the normalised item, its key within the account and the row ids.
public struct EnableBankingBooking: Sendable {
    public var accountKey: String
    public var transaction: EnableBankingTransaction
    /// `tid:<entry_reference>` or `syn:…`, plus `#n` for the n-th identical twin; pending
    /// items are prefixed `pending:`.
    public var key: String

    /// The unified account row id for an account key.
    public static func accountRowID(_ accountKey: String) -> String { DeterministicID.string("enablebanking", "account", accountKey) }
    /// The transaction row id (raw and unified tables).
    public static func rowID(accountKey: String, key: String) -> String { DeterministicID.string("enablebanking", "transaction", accountKey, key) }

    public var rowID: String { Self.rowID(accountKey: accountKey, key: key) }
}

extension ProjectedEvent {
    /// The booking of an `enablebanking.transaction.booked` event, or the error naming this event.
    public func enableBankingBooking() throws -> EnableBankingBooking {
        let account = try string("account_key")
        guard let item = json["transaction"] else { throw ProjectionError.malformed(self, "transaction is missing") }
        let t: EnableBankingTransaction
        do { t = try EnableBankingTransaction(item) } catch { throw ProjectionError.malformed(self, error.description) }
        let n = json["occurrence"]?.int ?? 0
        return EnableBankingBooking(accountKey: account, transaction: t, key: GoCardlessTransaction.bookedKey(identity: t.identity, occurrence: n))
    }

    /// The pending items of an `enablebanking.pending.observed` event, keyed, or the error naming this event.
    public func enableBankingPending() throws -> [EnableBankingBooking] {
        let account = try string("account_key")
        var items: [EnableBankingTransaction] = []
        for (i, item) in (json["pending"]?.array ?? []).enumerated() {
            do { items.append(try EnableBankingTransaction(item)) } catch { throw ProjectionError.malformed(self, "pending item \(i): \(error)") }
        }
        return zip(items, EnableBankingTransaction.occurrences(items)).map { t, n in
            EnableBankingBooking(accountKey: account, transaction: t, key: "pending:" + GoCardlessTransaction.bookedKey(identity: t.identity, occurrence: n))
        }
    }

    /// The balances of an `enablebanking.balances.observed` event in GoCardless terms.
    public func enableBankingBalances() throws -> [GoCardlessBalance] {
        do { return try EnableBankingBalance.all(in: json) } catch { throw ProjectionError.malformed(self, error.description) }
    }
}
