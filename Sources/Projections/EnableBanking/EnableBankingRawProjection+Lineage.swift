import CanonicalJSON
import EventLog
import Postgres

extension EnableBankingRawProjection: ProjectionLineage {
    /// Raw rows are keyed by what names their streams (bank, connection, finsync's account
    /// key), so their events are read by stream and confirmed by the payload, with the fold's
    /// own key functions (``EnableBankingBooking``).
    public func lineage(table: String, row: [String: String], in c: ProjectionContext) throws -> RowLineage? {
        switch table {
        case "eb_aspsps":
            let country = row["country"] ?? "", name = row["name"] ?? ""
            return RowLineage(streams: [StreamName.enablebankingASPSP(country: country, name: name)], eventTypes: [EventCatalog.enablebankingAspspObserved.name]) { e in
                e.json["country"]?.string == country && e.json["name"]?.string == name
            }
        case "eb_sessions":
            let connection = row["connection"] ?? ""
            return RowLineage(streams: [StreamName.enablebankingSession(connection)], eventTypes: [EventCatalog.enablebankingSessionObserved.name]) {
                $0.json["connection"]?.string == connection
            }
        case "eb_accounts":
            let key = row["account_key"] ?? ""
            return RowLineage(streams: [StreamName.enablebankingAccount(key)], eventTypes: [EventCatalog.enablebankingAccountObserved.name]) {
                $0.json["account_key"]?.string == key
            }
        case "eb_balances":
            // Each balances event replaces all of its account's rows.
            let key = row["account_key"] ?? "", type = row["balance_type"] ?? "", ordinal = Int(row["ordinal"] ?? "") ?? 0
            return .replacedSetMember(streams: [StreamName.enablebankingAccount(key, .balances)], eventTypes: [EventCatalog.enablebankingBalancesObserved.name],
                                      setType: EventCatalog.enablebankingBalancesObserved.name, belongs: { $0.json["account_key"]?.string == key },
                                      holds: { e in (e.json["balances"]?.array ?? []).filter { $0["balance_type"]?.string == type }.count > ordinal })
        case "eb_transactions":
            let key = row["account_key"] ?? "", transactionKey = row["transaction_key"] ?? ""
            if row["status"] == "pending" {
                // The pending sets that hold it; a booking of its entry_reference removes it.
                let booked = row["entry_reference"].map { "tid:" + $0 }
                return .replacedSetMember(streams: [StreamName.enablebankingAccount(key, .pending), StreamName.enablebankingAccount(key, .transactions)],
                                          eventTypes: [EventCatalog.enablebankingPendingObserved.name, EventCatalog.enablebankingTransactionBooked.name],
                                          setType: EventCatalog.enablebankingPendingObserved.name, belongs: { $0.json["account_key"]?.string == key },
                                          holds: { Self.pendingKeys($0).contains(transactionKey) },
                                          removes: { e in booked != nil && Self.bookedKey(e) == booked })
            }
            return RowLineage(streams: [StreamName.enablebankingAccount(key, .transactions)], eventTypes: [EventCatalog.enablebankingTransactionBooked.name]) { e in
                e.json["account_key"]?.string == key && Self.bookedKey(e) == transactionKey
            }
        default:
            return nil
        }
    }

    /// The transaction key a booked event writes (as the fold assigns it), nil when malformed.
    static func bookedKey(_ e: ProjectedEvent) -> String? { (try? e.enableBankingBooking())?.key }

    /// The keys (`pending:…`) of a pending set, as the fold assigns them.
    static func pendingKeys(_ e: ProjectedEvent) -> Set<String> { Set(((try? e.enableBankingPending()) ?? []).map(\.key)) }
}
