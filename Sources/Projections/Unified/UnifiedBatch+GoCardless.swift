import EventLog
import CanonicalJSON
import Postgres

extension UnifiedBatch {
    static func gcInstitution(_ id: String) -> String { DeterministicID.string("gocardless", "institution", id) }
    static func gcAccount(_ id: String) -> String { DeterministicID.string("gocardless", "account", id) }
    static func gcConnection(_ id: String) -> String { DeterministicID.string("gocardless", "connection", id) }
    static func gcConsent(_ id: String) -> String { DeterministicID.string("gocardless", "consent", id) }

    /// Requisition status codes in words (`connections.status`).
    static func connectionStatus(requisition code: String) -> String {
        switch code {
        case "LN": return "active"
        case "EX": return "expired"
        case "RJ": return "rejected"
        case "SU": return "suspended"
        case "ER": return "error"
        default: return "pending"  // CR, GC, UA, SA, GA, ID: consent not finished
        }
    }

    mutating func foldGoCardless(_ e: ProjectedEvent) throws {
        let j = e.json
        let at = e.recordedAtText
        switch e.type {
        case EventCatalog.gocardlessInstitutionObserved.name:
            let pid = try e.string("id")
            institutions[Self.gcInstitution(pid)] = Institution(provider: "gocardless", providerID: pid, name: j["name"]?.string, bic: j["bic"]?.string,
                                                                logo: j["logo"]?.string, countries: j["countries"]?.textArrayLiteral)
        case EventCatalog.gocardlessAgreementObserved.name:
            let pid = try e.string("id")
            var expires: String? = nil
            if let created = CalendarDay.timestamp(j["created"]).flatMap(PostgresTimestamp.parse), let days = j["access_valid_for_days"]?.int {
                expires = PostgresTimestamp.iso8601(created.addingTimeInterval(Double(days) * 86_400))
            }
            let inst = j["institution_id"]?.string
            if let inst { ensureInstitution(inst) }
            consents[Self.gcConsent(pid)] = Consent(provider: "gocardless", providerID: pid, institution: inst.map(Self.gcInstitution), created: CalendarDay.timestamp(j["created"]),
                                                    expires: expires, maxDays: j["max_historical_days"]?.intText, scope: j["access_scope"]?.textArrayLiteral)
        case EventCatalog.gocardlessRequisitionObserved.name:
            let pid = try e.string("id")
            let id = Self.gcConnection(pid)
            var x = connection(id, provider: "gocardless", providerID: pid)
            if let inst = j["institution_id"]?.string { ensureInstitution(inst); x.institution = Self.gcInstitution(inst) }
            if let agreement = j["agreement"]?.string {
                x.consent = Self.gcConsent(agreement)
            }
            if let status = j["status"]?.string { x.status = Self.connectionStatus(requisition: status) }
            x.created = CalendarDay.timestamp(j["created"])
            connections[id] = x
            for acct in j["accounts"]?.array?.compactMap(\.string) ?? [] {
                var a = account(Self.gcAccount(acct), provider: "gocardless", providerID: acct, type: "bank", at: at)
                a.connection = id
                a.updated = max(a.updated, at)
                accounts[Self.gcAccount(acct)] = a
            }
        case EventCatalog.gocardlessAccountObserved.name:
            let pid = try e.string("id")
            var a = account(Self.gcAccount(pid), provider: "gocardless", providerID: pid, type: "bank", at: at)
            a.iban = j["iban"]?.nonBlank ?? a.iban
            a.status = j["status"]?.string.map { $0.lowercased() } ?? a.status
            if a.name == nil, let owner = j["owner_name"]?.nonBlank { a.name = owner }
            a.updated = max(a.updated, at)
            accounts[Self.gcAccount(pid)] = a
        case EventCatalog.gocardlessAccountDetailsObserved.name:
            let pid = try e.string("account_id")
            let d = j["details"] ?? .null
            var a = account(Self.gcAccount(pid), provider: "gocardless", providerID: pid, type: "bank", at: at)
            a.name = d["name"]?.nonBlank ?? d["displayName"]?.nonBlank ?? d["product"]?.nonBlank ?? a.name
            a.currency = d["currency"]?.nonBlank ?? a.currency
            if a.iban == nil { a.iban = d["iban"]?.nonBlank }
            a.updated = max(a.updated, at)
            accounts[Self.gcAccount(pid)] = a
        case EventCatalog.gocardlessBalancesObserved.name:
            let pid = try e.string("account_id")
            let list = try e.gocardlessBalances()
            var a = account(Self.gcAccount(pid), provider: "gocardless", providerID: pid, type: "bank", at: at)
            a.setBalance(BalancePreference.choose(list), at: at)
            accounts[Self.gcAccount(pid)] = a
            activity[Self.gcAccount(pid)] = max(activity[Self.gcAccount(pid)] ?? at, at)
        case EventCatalog.gocardlessTransactionBooked.name:
            let b = try e.booking(), t = b.transaction, account = b.accountRowID, pid = b.accountID
            booked[b.rowID] = Transaction(id: b.rowID, account: account, key: b.key, status: "booked",
                                                          bookingDate: t.bookingDate, valueDate: t.valueDate, amount: t.amount, currency: t.currency,
                                                          counterparty: t.counterparty, description: t.description, updated: at)
            ensureAccount(account, providerID: pid, at: at)
            activity[account] = max(activity[account] ?? at, at)
        case EventCatalog.gocardlessPendingObserved.name:
            let pid = try e.string("account_id")
            let account = Self.gcAccount(pid)
            let items = try e.gocardlessPending()
            pending[account] = zip(items, GoCardlessTransaction.occurrences(items)).map { t, n in
                let key = "pending:" + GoCardlessTransaction.bookedKey(identity: t.identity, occurrence: n)
                return Transaction(id: GoCardlessBooking.rowID(account: pid, key: key), account: account, key: key, status: "pending",
                                   bookingDate: t.bookingDate, valueDate: t.valueDate, amount: t.amount, currency: t.currency,
                                   counterparty: t.counterparty, description: t.description, updated: at)
            }
            ensureAccount(account, providerID: pid, at: at)
            activity[account] = max(activity[account] ?? at, at)
        default:
            break
        }
    }

    mutating func ensureInstitution(_ pid: String) {
        let id = Self.gcInstitution(pid)
        if institutions[id] == nil { institutions[id] = Institution(provider: "gocardless", providerID: pid) }
    }

    mutating func ensureAccount(_ id: String, providerID: String, at: String) {
        var a = account(id, provider: "gocardless", providerID: providerID, type: "bank", at: at)
        a.updated = max(a.updated, at)
        accounts[id] = a
    }
}

extension UnifiedBatch.Institution {
    init(provider: String, providerID: String) {
        self.init(provider: provider, providerID: providerID, name: nil, bic: nil, logo: nil, countries: nil)
    }
}

extension UnifiedBatch.Connection {
    init(provider: String, providerID: String) {
        self.init(provider: provider, providerID: providerID, institution: nil, consent: nil, status: nil, created: nil, expires: nil, lastSynced: nil, lastError: nil)
    }
}

extension UnifiedBatch.Account {
    init(provider: String, providerID: String, type: String, updated: String) {
        self.init(provider: provider, providerID: providerID, type: type, connection: nil, name: nil, currency: nil, iban: nil, balanceAmount: nil,
                  balanceType: nil, balanceDate: nil, totalValue: nil, unrealised: nil, status: nil, updated: updated)
    }
}

extension UnifiedFold {
    /// GoCardless: every type its raw projection reads.
    static let goCardless = UnifiedFold("gocardless", eventTypes: GoCardlessRawProjection().eventTypes) { batch, e, _ in try batch.foldGoCardless(e) }
}
