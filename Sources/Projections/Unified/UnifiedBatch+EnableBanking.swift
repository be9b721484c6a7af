import CanonicalJSON
import EventLog

extension UnifiedBatch {
    static func ebInstitution(country: String, name: String) -> String { DeterministicID.string("enablebanking", "institution", "\(country)_\(name)") }
    static func ebConsent(_ sessionID: String) -> String { DeterministicID.string("enablebanking", "consent", sessionID) }

    /// Enable Banking session status in words (`connections.status`).
    static func connectionStatus(enableBankingSession status: String) -> String {
        switch status {
        case "AUTHORIZED": return "active"
        case "EXPIRED", "REVOKED", "CLOSED": return "expired"
        case "CANCELLED", "INVALID": return "error"
        default: return "pending"  // PENDING_AUTHORIZATION, RETURNED_FROM_BANK
        }
    }

    /// `enablebanking.*` events: banks → institutions, sessions → consents and connections,
    /// accounts (by finsync's stable key, so a re-authorised account stays one row), balances
    /// (ISO 20022 types mapped to ``BalancePreference``) and transactions.
    mutating func foldEnableBanking(_ e: ProjectedEvent) throws {
        let j = e.json
        let at = e.recordedAtText
        switch e.type {
        case EventCatalog.enablebankingAspspObserved.name:
            let country = try e.string("country"), name = try e.string("name")
            institutions[Self.ebInstitution(country: country, name: name)] = Institution(provider: "enablebanking", providerID: "\(country)_\(name)", name: name,
                                                                                         bic: j["bic"]?.nonBlank, logo: j["logo"]?.string, countries: "{\"\(country)\"}")
        case EventCatalog.enablebankingSessionObserved.name:
            let conn = try e.string("connection"), sid = try e.string("session_id")
            let country = try e.string("aspsp", "country"), name = try e.string("aspsp", "name")
            let institution = Self.ebInstitution(country: country, name: name)
            if institutions[institution] == nil { institutions[institution] = Institution(provider: "enablebanking", providerID: "\(country)_\(name)") }
            let s = j["session"] ?? .null
            let expires = CalendarDay.timestamp(s["access"]?["valid_until"])
            consents[Self.ebConsent(sid)] = Consent(provider: "enablebanking", providerID: sid, institution: institution, created: CalendarDay.timestamp(s["created"]),
                                                    expires: expires, maxDays: nil, scope: nil)
            let id = Self.connectionID(provider: "enablebanking", connection: conn)
            var x = connection(id, provider: "enablebanking", providerID: conn)
            x.institution = institution
            x.consent = Self.ebConsent(sid)
            if let status = s["status"]?.string { x.status = Self.connectionStatus(enableBankingSession: status) }
            x.created = CalendarDay.timestamp(s["created"]) ?? x.created
            x.expires = expires ?? x.expires
            connections[id] = x
        case EventCatalog.enablebankingAccountObserved.name:
            let key = try e.string("account_key"), conn = try e.string("connection")
            let r = j["account"] ?? .null
            let id = EnableBankingBooking.accountRowID(key)
            var a = account(id, provider: "enablebanking", providerID: key, type: "bank", at: at)
            a.connection = Self.connectionID(provider: "enablebanking", connection: conn)
            a.iban = r["account_id"]?["iban"]?.nonBlank ?? a.iban
            a.name = r["name"]?.nonBlank ?? r["product"]?.nonBlank ?? a.iban ?? a.name
            a.currency = r["currency"]?.nonBlank ?? a.currency
            a.updated = max(a.updated, at)
            accounts[id] = a
        case EventCatalog.enablebankingBalancesObserved.name:
            let key = try e.string("account_key")
            let list = try e.enableBankingBalances()
            let id = EnableBankingBooking.accountRowID(key)
            var a = account(id, provider: "enablebanking", providerID: key, type: "bank", at: at)
            a.setBalance(BalancePreference.choose(list), at: at)
            accounts[id] = a
            activity[id] = max(activity[id] ?? at, at)
        case EventCatalog.enablebankingTransactionBooked.name:
            let b = try e.enableBankingBooking(), t = b.transaction
            let account = EnableBankingBooking.accountRowID(b.accountKey)
            booked[b.rowID] = Transaction(id: b.rowID, account: account, key: b.key, status: "booked", bookingDate: t.bookingDate ?? t.transactionDate, valueDate: t.valueDate,
                                          amount: t.amount, currency: t.currency, counterparty: t.counterparty, description: t.description, updated: at)
            ensureEnableBankingAccount(b.accountKey, at: at)
            activity[account] = max(activity[account] ?? at, at)
        case EventCatalog.enablebankingPendingObserved.name:
            let key = try e.string("account_key")
            let account = EnableBankingBooking.accountRowID(key)
            pending[account] = try e.enableBankingPending().map { b in
                let t = b.transaction
                return Transaction(id: b.rowID, account: account, key: b.key, status: "pending", bookingDate: t.bookingDate ?? t.transactionDate, valueDate: t.valueDate,
                                   amount: t.amount, currency: t.currency, counterparty: t.counterparty, description: t.description, updated: at)
            }
            ensureEnableBankingAccount(key, at: at)
            activity[account] = max(activity[account] ?? at, at)
        default:
            break
        }
    }

    mutating func ensureEnableBankingAccount(_ key: String, at: String) {
        let id = EnableBankingBooking.accountRowID(key)
        var a = account(id, provider: "enablebanking", providerID: key, type: "bank", at: at)
        a.updated = max(a.updated, at)
        accounts[id] = a
    }
}

extension UnifiedFold {
    /// Enable Banking: every type its raw projection reads.
    static let enableBanking = UnifiedFold("enablebanking", eventTypes: EnableBankingRawProjection().eventTypes) { batch, e, _ in try batch.foldEnableBanking(e) }
}
