import CanonicalJSON
import EventLog
import Postgres

extension UnifiedProjection: ProjectionLineage {
    /// Unified rows carry their provider ids (`provider_*_id`), so their events are found by
    /// the provider's streams; rows keyed by another row's id (transactions) look that row up.
    public func lineage(table: String, row: [String: String], in c: ProjectionContext) throws -> RowLineage? {
        switch table {
        case "institutions" where row["provider"] == "enablebanking":
            return Self.enableBankingInstitutionLineage(row["provider_institution_id"] ?? "")
        case "consents" where row["provider"] == "enablebanking":
            return Self.enableBankingConsentLineage(row["provider_consent_id"] ?? "")
        case "accounts" where row["provider"] == "enablebanking":
            return Self.enableBankingAccountLineage(row["provider_account_id"] ?? "")
        case "institutions":
            guard row["provider"] == "gocardless", let pid = row["provider_institution_id"] else { return .empty }
            // Its own observations, and agreements/requisitions naming it (which create it when first seen).
            return RowLineage(streams: nil, eventTypes: [EventCatalog.gocardlessInstitutionObserved.name, EventCatalog.gocardlessAgreementObserved.name, EventCatalog.gocardlessRequisitionObserved.name]) { e in
                e.type == EventCatalog.gocardlessInstitutionObserved.name ? (try? e.string("id")) == pid : e.json["institution_id"]?.string == pid
            }
        case "consents":
            guard row["provider"] == "gocardless", let pid = row["provider_consent_id"] else { return .empty }
            return RowLineage(streams: [StreamName.gocardlessAgreement(pid)], eventTypes: [EventCatalog.gocardlessAgreementObserved.name]) { (try? $0.string("id")) == pid }
        case "connections":
            return try connectionLineage(row, in: c)
        case "accounts" where row["provider"] == "trading212" || row["provider"] == "vanguard":
            return Self.investmentAccountLineage(provider: row["provider"] ?? "", pid: row["provider_account_id"] ?? "")
        case "accounts":
            guard row["provider"] == "gocardless", let pid = row["provider_account_id"] else { return .empty }
            let base = StreamName.gocardlessAccount(pid)
            let own: Set<String> = [EventCatalog.gocardlessAccountObserved.name, EventCatalog.gocardlessAccountDetailsObserved.name, EventCatalog.gocardlessBalancesObserved.name,
                                    EventCatalog.gocardlessTransactionBooked.name, EventCatalog.gocardlessPendingObserved.name]
            // Every event of the account's streams folds into the row (at least `updated_at`),
            // and so does a requisition that lists the account (its connection).
            return RowLineage(streams: nil, eventTypes: own.union([EventCatalog.gocardlessRequisitionObserved.name]), select: { events in
                events.filter { e in
                    if e.type == EventCatalog.gocardlessRequisitionObserved.name { return e.json["accounts"]?.array?.contains(.string(pid)) ?? false }
                    let id = e.type == EventCatalog.gocardlessAccountObserved.name ? (try? e.string("id")) : (try? e.string("account_id"))
                    return id == pid && StreamName.stream(e.event.streamID, isWithin: base)
                }
            })
        case "transactions":
            return try AnnotationLineage.adding(to: transactionLineage(row, in: c), row: row, in: c)
        case "holdings":
            guard let account = row["account_id"], let ticker = row["ticker"] else { return .empty }
            let r = try c.session.query("SELECT provider, provider_account_id FROM \(c.table("accounts")) WHERE id = $1::uuid", [.text(account)])
            guard r.count == 1, let provider = r[0].string(0), let pid = r[0].string(1) else { return .empty }
            if provider == "trading212" {
                // The position snapshots that list it, and its instrument's metadata (name, ISIN, GBX).
                return RowLineage(streams: [StreamName.trading212(pid, .positions), StreamName.trading212Instrument(ticker)],
                                  eventTypes: [EventCatalog.trading212PositionsObserved.name, EventCatalog.trading212InstrumentObserved.name]) { e in
                    e.type == EventCatalog.trading212InstrumentObserved.name ? true
                        : (e.json["positions"]?.array ?? []).contains { (try? Trading212Position($0))?.ticker == ticker }
                }
            }
            if provider == "vanguard" {
                return RowLineage(streams: nil, eventTypes: [EventCatalog.vanguardHoldingsObserved.name]) { e in
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
        var streams = [StreamName.connectionHealth(provider: provider, pid)]
        var types: Set<String> = [EventCatalog.connectionHealthObserved.name]
        if provider == "gocardless" {
            streams.append(StreamName.gocardlessRequisition(pid))
            types.insert(EventCatalog.gocardlessRequisitionObserved.name)
            if let consent { streams.append(StreamName.gocardlessAgreement(consent)); types.insert(EventCatalog.gocardlessAgreementObserved.name) }
            for a in accounts.sorted() { streams += [StreamName.gocardlessAccount(a, .balances), StreamName.gocardlessAccount(a, .transactions), StreamName.gocardlessAccount(a, .pending)] }
            types.formUnion([EventCatalog.gocardlessBalancesObserved.name, EventCatalog.gocardlessTransactionBooked.name, EventCatalog.gocardlessPendingObserved.name])
        }
        if provider == "enablebanking" {
            // The session (institution, consent, status, expiry); the accounts' observations tie
            // them to the connection; their data moves `last_synced_at`.
            streams.append(StreamName.enablebankingSession(pid))
            for a in accounts.sorted() { streams += [StreamName.enablebankingAccount(a)] + StreamName.EnableBankingAccountPart.allCases.map { StreamName.enablebankingAccount(a, $0) } }
            types.formUnion([EventCatalog.enablebankingSessionObserved.name, EventCatalog.enablebankingAccountObserved.name, EventCatalog.enablebankingBalancesObserved.name,
                             EventCatalog.enablebankingTransactionBooked.name, EventCatalog.enablebankingPendingObserved.name])
        }
        return RowLineage(streams: streams, eventTypes: types, select: { events in
            var synced = ""
            var linked = Set<String>()  // accounts the requisition has tied to this connection so far
            return events.filter { e in
                switch e.type {
                case EventCatalog.connectionHealthObserved.name:
                    guard e.json["provider"]?.string == provider, e.json["connection_id"]?.string == pid else { return false }
                    synced = e.recordedAtText
                    return true
                case EventCatalog.gocardlessRequisitionObserved.name:
                    guard (try? e.string("id")) == pid else { return false }
                    linked.formUnion(e.json["accounts"]?.array?.compactMap(\.string) ?? [])
                    return true
                case EventCatalog.gocardlessAgreementObserved.name: return (try? e.string("id")) == consent
                case EventCatalog.enablebankingSessionObserved.name: return e.json["connection"]?.string == pid
                case EventCatalog.enablebankingAccountObserved.name:
                    if e.json["connection"]?.string == pid, let a = e.json["account_key"]?.string { linked.insert(a) }
                    return false
                default:
                    // Activity moves `last_synced_at` only once the account belongs to the connection.
                    guard let a = (try? e.string("account_id")) ?? e.json["account_key"]?.string, accounts.contains(a), linked.contains(a) else { return false }
                    let at = e.recordedAtText
                    guard at > synced else { return false }
                    synced = at
                    return true
                }
            }
        })
    }

    /// A unified pending row (`pending:…` key): written by the pending sets that hold it, and
    /// removed by a booking with the same bank id (the fold's `pending:tid:` rule).
    static func pendingTransactionLineage(key: String, streams: [String], pendingType: String, bookedType: String,
                                          belongs: @escaping @Sendable (ProjectedEvent) -> Bool,
                                          pendingKeys: @escaping @Sendable (ProjectedEvent) -> Set<String>,
                                          bookedKey: @escaping @Sendable (ProjectedEvent) -> String?) -> RowLineage {
        let bookedPrefix = key.hasPrefix("pending:tid:") ? String(key.dropFirst("pending:".count).split(separator: "#", omittingEmptySubsequences: false)[0]) : nil
        return .replacedSetMember(streams: streams, eventTypes: [pendingType, bookedType], setType: pendingType, belongs: belongs,
                                  holds: { pendingKeys($0).contains(key) },
                                  removes: { e in
                                      guard let bookedPrefix, let k = bookedKey(e) else { return false }
                                      return k.split(separator: "#", omittingEmptySubsequences: false)[0] == bookedPrefix
                                  })
    }

    /// A Trading212 or Vanguard account: every observation of its connection's streams
    /// touches the row (values, or at least `updated_at`).
    static func investmentAccountLineage(provider: String, pid: String) -> RowLineage {
        if provider == "trading212" {
            return RowLineage(streams: nil, eventTypes: [EventCatalog.trading212AccountObserved.name, EventCatalog.trading212PositionsObserved.name, EventCatalog.trading212DividendObserved.name, EventCatalog.trading212TransactionObserved.name]) {
                StreamName.stream($0.event.streamID, isWithin: StreamName.trading212(pid))
            }
        }
        return RowLineage(streams: nil, eventTypes: [EventCatalog.vanguardSubaccountObserved.name, EventCatalog.vanguardHoldingsObserved.name]) { (try? $0.string("hierarchy_id")) == pid }
    }
}

extension UnifiedProjection {
    /// The provider events behind a unified transaction row.
    func transactionLineage(_ row: [String: String], in c: ProjectionContext) throws -> RowLineage {
        guard let account = row["account_id"], let key = row["provider_transaction_key"] else { return .empty }
        let r = try c.session.query("SELECT provider, provider_account_id FROM \(c.table("accounts")) WHERE id = $1::uuid", [.text(account)])
        if r.count == 1, r[0].string(0) == "trading212", let conn = r[0].string(1) {
            // Dividends and cash movements, by reference.
            let isDividend = key.hasPrefix("dividend:")
            let ref = String(key.drop { $0 != ":" }.dropFirst())
            return RowLineage(streams: [StreamName.trading212(conn, isDividend ? .dividends : .transactions)],
                              eventTypes: [isDividend ? EventCatalog.trading212DividendObserved.name : EventCatalog.trading212TransactionObserved.name]) { (try? $0.string("reference")) == ref }
        }
        if r.count == 1, r[0].string(0) == "enablebanking", let pid = r[0].string(1) { return Self.enableBankingTransactionLineage(account: pid, transactionKey: key, pending: row["status"] == "pending") }
        guard r.count == 1, r[0].string(0) == "gocardless", let pid = r[0].string(1) else { return .empty }
        if row["status"] == "pending" {
            return Self.pendingTransactionLineage(key: key, streams: [StreamName.gocardlessAccount(pid, .pending), StreamName.gocardlessAccount(pid, .transactions)],
                                                  pendingType: EventCatalog.gocardlessPendingObserved.name, bookedType: EventCatalog.gocardlessTransactionBooked.name,
                                                  belongs: { (try? $0.string("account_id")) == pid }, pendingKeys: GoCardlessRawProjection.pendingKeys,
                                                  bookedKey: GoCardlessRawProjection.bookedKey)
        }
        return RowLineage(streams: [StreamName.gocardlessAccount(pid, .transactions)], eventTypes: [EventCatalog.gocardlessTransactionBooked.name]) { e in
            (try? e.string("account_id")) == pid && GoCardlessRawProjection.bookedKey(e) == key
        }
    }
}
