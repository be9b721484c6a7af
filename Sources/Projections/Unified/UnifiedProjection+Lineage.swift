import CanonicalJSON
import EventLog
import Postgres

extension UnifiedProjection: ProjectionLineage {
    /// Unified rows carry their provider ids (`provider_*_id`), so their events are found by
    /// the provider's streams; rows keyed by another row's id (transactions) look that row up.
    public func lineage(table: String, row: [String: String], in c: ProjectionContext) throws -> RowLineage? {
        switch table {
        case "institutions":
            guard row["provider"] == "gocardless", let pid = row["provider_institution_id"] else { return .empty }
            // Its own observations, and agreements/requisitions naming it (which create it when first seen).
            return RowLineage(streams: nil, eventTypes: [EventCatalog.gocardlessInstitutionObserved, EventCatalog.gocardlessAgreementObserved, EventCatalog.gocardlessRequisitionObserved]) { e in
                e.type == EventCatalog.gocardlessInstitutionObserved ? (try? e.string("id")) == pid : e.json["institution_id"]?.string == pid
            }
        case "consents":
            guard row["provider"] == "gocardless", let pid = row["provider_consent_id"] else { return .empty }
            return RowLineage(streams: ["gocardless/agreement/\(pid)"], eventTypes: [EventCatalog.gocardlessAgreementObserved]) { (try? $0.string("id")) == pid }
        case "connections":
            return try connectionLineage(row, in: c)
        case "accounts" where row["provider"] == "trading212" || row["provider"] == "vanguard":
            return Self.investmentAccountLineage(provider: row["provider"]!, pid: row["provider_account_id"] ?? "")
        case "accounts":
            guard row["provider"] == "gocardless", let pid = row["provider_account_id"] else { return .empty }
            let base = "gocardless/account/\(pid)"
            let own: Set<String> = [EventCatalog.gocardlessAccountObserved, EventCatalog.gocardlessAccountDetailsObserved, EventCatalog.gocardlessBalancesObserved,
                                    EventCatalog.gocardlessTransactionBooked, EventCatalog.gocardlessPendingObserved]
            // Every event of the account's streams folds into the row (at least `updated_at`),
            // and so does a requisition that lists the account (its connection).
            return RowLineage(streams: nil, eventTypes: own.union([EventCatalog.gocardlessRequisitionObserved]), select: { events in
                events.filter { e in
                    if e.type == EventCatalog.gocardlessRequisitionObserved { return e.json["accounts"]?.array?.contains(.string(pid)) ?? false }
                    let id = e.type == EventCatalog.gocardlessAccountObserved ? (try? e.string("id")) : (try? e.string("account_id"))
                    return id == pid && e.event.streamID.hasPrefix(base)
                }
            })
        case "transactions":
            guard let account = row["account_id"], let key = row["provider_transaction_key"] else { return .empty }
            let r = try c.session.query("SELECT provider, provider_account_id FROM \(c.table("accounts")) WHERE id = $1::uuid", [.text(account)])
            if r.count == 1, r[0].string(0) == "trading212", let conn = r[0].string(1) {
                // Dividends and cash movements, by reference.
                let isDividend = key.hasPrefix("dividend:")
                let ref = String(key.drop { $0 != ":" }.dropFirst())
                return RowLineage(streams: ["trading212/\(conn)/\(isDividend ? "dividends" : "transactions")"],
                                  eventTypes: [isDividend ? EventCatalog.trading212DividendObserved : EventCatalog.trading212TransactionObserved]) { (try? $0.string("reference")) == ref }
            }
            guard r.count == 1, r[0].string(0) == "gocardless", let pid = r[0].string(1) else { return .empty }
            if row["status"] == "pending" {
                // Written by the pending sets that hold it; removed by a booking of the same bank id.
                let bookedPrefix = key.hasPrefix("pending:tid:") ? String(key.dropFirst("pending:".count).split(separator: "#", omittingEmptySubsequences: false)[0]) : nil
                return RowLineage(streams: ["gocardless/account/\(pid)/pending", "gocardless/account/\(pid)/transactions"],
                                  eventTypes: [EventCatalog.gocardlessPendingObserved, EventCatalog.gocardlessTransactionBooked], select: { events in
                    var existed = false
                    return events.filter { e in
                        guard (try? e.string("account_id")) == pid else { return false }
                        if e.type == EventCatalog.gocardlessPendingObserved {
                            let has = GoCardlessRawProjection.pendingKeys(e).contains(key)
                            defer { existed = has }
                            return has || existed
                        }
                        guard existed, let bookedPrefix, let k = GoCardlessRawProjection.bookedKey(e),
                              k.split(separator: "#", omittingEmptySubsequences: false)[0] == bookedPrefix else { return false }
                        existed = false
                        return true
                    }
                })
            }
            return RowLineage(streams: ["gocardless/account/\(pid)/transactions"], eventTypes: [EventCatalog.gocardlessTransactionBooked]) { e in
                (try? e.string("account_id")) == pid && GoCardlessRawProjection.bookedKey(e) == key
            }
        case "holdings":
            guard let account = row["account_id"], let ticker = row["ticker"] else { return .empty }
            let r = try c.session.query("SELECT provider, provider_account_id FROM \(c.table("accounts")) WHERE id = $1::uuid", [.text(account)])
            guard r.count == 1, let provider = r[0].string(0), let pid = r[0].string(1) else { return .empty }
            if provider == "trading212" {
                // The position snapshots that list it, and its instrument's metadata (name, ISIN, GBX).
                return RowLineage(streams: ["trading212/\(pid)/positions", "trading212/instrument/\(ticker)"],
                                  eventTypes: [EventCatalog.trading212PositionsObserved, EventCatalog.trading212InstrumentObserved]) { e in
                    e.type == EventCatalog.trading212InstrumentObserved ? true
                        : (e.json["positions"]?.array ?? []).contains { (try? Trading212Position($0))?.ticker == ticker }
                }
            }
            if provider == "vanguard" {
                return RowLineage(streams: nil, eventTypes: [EventCatalog.vanguardHoldingsObserved]) { e in
                    (try? e.string("hierarchy_id")) == pid && VanguardPosition.all(in: e.json).contains { $0.productCode == ticker }
                }
            }
            return .empty
        default:
            return nil
        }
    }

    /// A connection: its requisition, its health reports, its consent's observations (which
    /// set `expires_at`), and its accounts' activity that moved `last_synced_at` forward.
    func connectionLineage(_ row: [String: String], in c: ProjectionContext) throws -> RowLineage {
        guard let provider = row["provider"], let pid = row["provider_connection_id"] else { return .empty }
        var consentID: String? = nil
        if let k = row["consent_id"] {
            let r = try c.session.query("SELECT provider_consent_id FROM \(c.table("consents")) WHERE id = $1::uuid", [.text(k)])
            consentID = r.count == 1 ? r[0].string(0) : nil
        }
        let consent = consentID
        let accounts = Set(try c.session.query("SELECT provider_account_id FROM \(c.table("accounts")) WHERE connection_id = $1::uuid", [.text(row["id"] ?? "")])
            .rows.compactMap { $0.string(0) })
        var streams = ["\(provider)/connection/\(pid)/health"]
        var types: Set<String> = [EventCatalog.connectionHealthObserved]
        if provider == "gocardless" {
            streams.append("gocardless/requisition/\(pid)")
            types.insert(EventCatalog.gocardlessRequisitionObserved)
            if let consent { streams.append("gocardless/agreement/\(consent)"); types.insert(EventCatalog.gocardlessAgreementObserved) }
            for a in accounts.sorted() { streams += ["gocardless/account/\(a)/balances", "gocardless/account/\(a)/transactions", "gocardless/account/\(a)/pending"] }
            types.formUnion([EventCatalog.gocardlessBalancesObserved, EventCatalog.gocardlessTransactionBooked, EventCatalog.gocardlessPendingObserved])
        }
        return RowLineage(streams: streams, eventTypes: types, select: { events in
            var synced = ""
            var linked = Set<String>()  // accounts the requisition has tied to this connection so far
            return events.filter { e in
                switch e.type {
                case EventCatalog.connectionHealthObserved:
                    guard e.json["provider"]?.string == provider, e.json["connection_id"]?.string == pid else { return false }
                    synced = e.recordedAtText
                    return true
                case EventCatalog.gocardlessRequisitionObserved:
                    guard (try? e.string("id")) == pid else { return false }
                    linked.formUnion(e.json["accounts"]?.array?.compactMap(\.string) ?? [])
                    return true
                case EventCatalog.gocardlessAgreementObserved: return (try? e.string("id")) == consent
                default:
                    // Activity moves `last_synced_at` only once the account belongs to the connection.
                    guard let a = try? e.string("account_id"), accounts.contains(a), linked.contains(a) else { return false }
                    let at = e.recordedAtText
                    guard at > synced else { return false }
                    synced = at
                    return true
                }
            }
        })
    }

    /// A Trading212 or Vanguard account: every observation of its connection's streams
    /// touches the row (values, or at least `updated_at`).
    static func investmentAccountLineage(provider: String, pid: String) -> RowLineage {
        if provider == "trading212" {
            return RowLineage(streams: nil, eventTypes: [EventCatalog.trading212AccountObserved, EventCatalog.trading212PositionsObserved, EventCatalog.trading212DividendObserved, EventCatalog.trading212TransactionObserved]) {
                $0.event.streamID.hasPrefix("trading212/\(pid)/")
            }
        }
        return RowLineage(streams: nil, eventTypes: [EventCatalog.vanguardSubaccountObserved, EventCatalog.vanguardHoldingsObserved]) { (try? $0.string("hierarchy_id")) == pid }
    }
}
