import CanonicalJSON
import EventLog
import Postgres

/// The lineage of unified rows with provider `enablebanking`, with the fold's key functions
/// (``UnifiedBatch/foldEnableBanking(_:)``, ``EnableBankingBooking``).
extension UnifiedProjection {
    /// An institution (`<country>_<name>`): its bank's observations, and the sessions at that
    /// bank (which create it when first seen).
    static func enableBankingInstitutionLineage(_ pid: String) -> RowLineage {
        let parts = pid.split(separator: "_", maxSplits: 1, omittingEmptySubsequences: false)
        let country = parts.first.map(String.init) ?? "", name = parts.count > 1 ? String(parts[1]) : ""
        return RowLineage(streams: nil, eventTypes: [EventCatalog.enablebankingAspspObserved.name, EventCatalog.enablebankingSessionObserved.name]) { e in
            let bank = e.type == EventCatalog.enablebankingAspspObserved.name ? e.json : e.json["aspsp"]
            return bank?["country"]?.string == country && bank?["name"]?.string == name
        }
    }

    /// A consent: the observations of its session.
    static func enableBankingConsentLineage(_ sessionID: String) -> RowLineage {
        RowLineage(streams: nil, eventTypes: [EventCatalog.enablebankingSessionObserved.name]) { $0.json["session_id"]?.string == sessionID }
    }

    /// An account (finsync's account key): every event of its streams folds into the row.
    static func enableBankingAccountLineage(_ key: String) -> RowLineage {
        RowLineage(streams: [StreamName.enablebankingAccount(key)] + StreamName.EnableBankingAccountPart.allCases.map { StreamName.enablebankingAccount(key, $0) },
                   eventTypes: [EventCatalog.enablebankingAccountObserved.name, EventCatalog.enablebankingBalancesObserved.name,
                                EventCatalog.enablebankingTransactionBooked.name, EventCatalog.enablebankingPendingObserved.name]) {
            $0.json["account_key"]?.string == key
        }
    }

    /// A transaction of the account `key`: its booking, or the pending sets that hold it
    /// (removed by a booking with the same bank id).
    static func enableBankingTransactionLineage(account key: String, transactionKey: String, pending: Bool) -> RowLineage {
        if pending {
            return pendingTransactionLineage(key: transactionKey, streams: [StreamName.enablebankingAccount(key, .pending), StreamName.enablebankingAccount(key, .transactions)],
                                             pendingType: EventCatalog.enablebankingPendingObserved.name, bookedType: EventCatalog.enablebankingTransactionBooked.name,
                                             belongs: { $0.json["account_key"]?.string == key }, pendingKeys: EnableBankingRawProjection.pendingKeys,
                                             bookedKey: EnableBankingRawProjection.bookedKey)
        }
        return RowLineage(streams: [StreamName.enablebankingAccount(key, .transactions)], eventTypes: [EventCatalog.enablebankingTransactionBooked.name]) { e in
            e.json["account_key"]?.string == key && EnableBankingRawProjection.bookedKey(e) == transactionKey
        }
    }
}
