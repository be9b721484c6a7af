import CanonicalJSON
import EventLog
import Postgres

extension GoCardlessRawProjection: ProjectionLineage {
    /// Raw rows are keyed by provider ids, so their events are found by stream
    /// (the catalogue in docs/ARCHITECTURE.md) and confirmed by the payload's ids.
    public func lineage(table: String, row: [String: String], in c: ProjectionContext) throws -> RowLineage? {
        switch table {
        case "gc_institutions", "gc_agreements", "gc_requisitions":
            let id = row["id"] ?? ""
            let (stream, kind) = switch table {
            case "gc_institutions": (StreamName.gocardlessInstitution(id), EventCatalog.gocardlessInstitutionObserved)
            case "gc_agreements": (StreamName.gocardlessAgreement(id), EventCatalog.gocardlessAgreementObserved)
            default: (StreamName.gocardlessRequisition(id), EventCatalog.gocardlessRequisitionObserved)
            }
            return RowLineage(streams: [stream], eventTypes: [kind.name]) { (try? $0.string("id")) == id }
        case "gc_bank_accounts":
            let id = row["id"] ?? ""
            return RowLineage(streams: [StreamName.gocardlessAccount(id), StreamName.gocardlessAccount(id, .details)],
                              eventTypes: [EventCatalog.gocardlessAccountObserved.name, EventCatalog.gocardlessAccountDetailsObserved.name]) { e in
                (try? e.string(e.type == EventCatalog.gocardlessAccountObserved.name ? "id" : "account_id")) == id
            }
        case "gc_balances":
            // Each balances event replaces all of its account's rows: it writes this row when
            // it carries it, or when it drops a row that existed.
            let account = row["account_id"] ?? "", type = row["balance_type"] ?? "", ordinal = Int(row["ordinal"] ?? "") ?? 0
            return .replacedSetMember(streams: [StreamName.gocardlessAccount(account, .balances)], eventTypes: [EventCatalog.gocardlessBalancesObserved.name],
                                      setType: EventCatalog.gocardlessBalancesObserved.name, belongs: { (try? $0.string("account_id")) == account },
                                      holds: { e in (e.json["balances"]?.array ?? []).filter { $0["balanceType"]?.string == type }.count > ordinal })
        case "gc_transactions":
            let account = row["account_id"] ?? "", key = row["transaction_key"] ?? ""
            if row["status"] == "pending" {
                let tid = row["transaction_id"]
                // A booked item with the pending item's bank id removes it.
                return .replacedSetMember(streams: [StreamName.gocardlessAccount(account, .pending), StreamName.gocardlessAccount(account, .transactions)],
                                          eventTypes: [EventCatalog.gocardlessPendingObserved.name, EventCatalog.gocardlessTransactionBooked.name],
                                          setType: EventCatalog.gocardlessPendingObserved.name, belongs: { (try? $0.string("account_id")) == account },
                                          holds: { Self.pendingKeys($0).contains(key) },
                                          removes: { e in tid != nil && e.json["transaction"].flatMap { try? GoCardlessTransaction($0) }?.transactionID == tid })
            }
            return RowLineage(streams: [StreamName.gocardlessAccount(account, .transactions)], eventTypes: [EventCatalog.gocardlessTransactionBooked.name]) { e in
                (try? e.string("account_id")) == account && Self.bookedKey(e) == key
            }
        default:
            return nil
        }
    }

    /// The transaction key a booked event writes, nil when malformed.
    static func bookedKey(_ e: ProjectedEvent) -> String? {
        guard let item = e.json["transaction"], let t = try? GoCardlessTransaction(item) else { return nil }
        return GoCardlessTransaction.bookedKey(identity: t.identity, occurrence: e.json["occurrence"]?.int ?? 0)
    }

    /// The keys (`pending:…`) of a pending set, as the fold assigns them.
    static func pendingKeys(_ e: ProjectedEvent) -> Set<String> {
        let items = (e.json["pending"]?.array ?? []).compactMap { try? GoCardlessTransaction($0) }
        return Set(zip(items, GoCardlessTransaction.occurrences(items)).map { "pending:" + GoCardlessTransaction.bookedKey(identity: $0.identity, occurrence: $1) })
    }
}
