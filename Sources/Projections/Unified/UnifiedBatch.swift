import CanonicalJSON
import OrderedCollections
import Postgres

/// One batch of unified rows, folded in memory (later events win) before bulk writes.
/// Fields left nil keep what the table already holds.
struct UnifiedBatch {
    struct Institution { var provider: String, providerID: String, name: String?, bic: String?, logo: String?, countries: String? }
    struct Consent { var provider: String, providerID: String, institution: String?, created: String?, expires: String?, maxDays: String?, scope: String? }
    struct Connection {
        var provider: String, providerID: String
        var institution: String?, consent: String?, status: String?, created: String?, expires: String?, lastSynced: String?, lastError: String??
        /// The status a new row gets when no event has stated one yet.
        var initialStatus = "pending"
    }
    struct Account {
        var provider: String, providerID: String, type: String
        var connection: String?, name: String?, currency: String?, iban: String?
        var balanceAmount: String?, balanceType: String?, balanceDate: String?
        var totalValue: String?, unrealised: String?, status: String?, updated: String
    }
    struct Transaction {
        var id: String, account: String, key: String, status: String, bookingDate: String?, valueDate: String?
        var amount: String, currency: String, counterparty: String?, description: String?, updated: String
    }
    struct Holding {
        var id: String, account: String, ticker: String?, name: String?, isin: String?, quantity: String
        var averageCost: String?, price: String?, value: String?, pnl: String?, currency: String?, updated: String
    }

    var institutions: [String: Institution] = [:]
    var consents: [String: Consent] = [:]
    var connections: [String: Connection] = [:]
    var accounts: [String: Account] = [:]
    /// Booked transactions by account and key, in event order.
    var booked: OrderedDictionary<String, Transaction> = [:]
    /// Replacement pending sets, by account id.
    var pending: [String: [Transaction]] = [:]
    /// Replacement holding sets, by account id.
    var holdings: [String: [Holding]] = [:]
    /// Accounts whose connection saw activity, with the time, for `last_synced_at`.
    var activity: [String: String] = [:]
    /// Latest Trading212 positions per account (replacing the stored ones).
    var t212Positions: [String: (connection: String, positions: [Trading212Position], at: String)] = [:]
    /// Trading212 instrument metadata by ticker.
    var t212Instruments: [String: (name: String?, isin: String?, currency: String?, at: String)] = [:]
    /// Vanguard export rows and links (`UnifiedBatch+VanguardExport`).
    var vanguardExport = VanguardExportBatch()
    /// User events: tags, categories, notes and rules (``AnnotationBatch``).
    var annotations = AnnotationBatch()

    mutating func account(_ id: String, provider: String, providerID: String, type: String, at: String) -> Account {
        accounts[id] ?? Account(provider: provider, providerID: providerID, type: type, updated: at)
    }

    mutating func connection(_ id: String, provider: String, providerID: String) -> Connection {
        connections[id] ?? Connection(provider: provider, providerID: providerID)
    }

    mutating func write(in c: ProjectionContext) throws {
        if !institutions.isEmpty {
            var w = CopyTextWriter()
            for (id, i) in institutions.sorted(by: { $0.key < $1.key }) { w.row(id, i.provider, i.providerID, i.name, i.bic, i.logo, i.countries) }
            try StagedUpsert(table: "institutions", columns: ["id", "provider", "provider_institution_id", "name", "bic", "logo_url", "countries"],
                             conflict: ["id"], keepExistingWhenNull: true).run(w, in: c)
        }
        if !consents.isEmpty {
            var w = CopyTextWriter()
            for (id, x) in consents.sorted(by: { $0.key < $1.key }) { w.row(id, x.provider, x.providerID, x.institution, x.created, x.expires, x.maxDays, x.scope) }
            try StagedUpsert(table: "consents", columns: ["id", "provider", "provider_consent_id", "institution_id", "created_at", "expires_at", "max_historical_days", "access_scope"],
                             conflict: ["id"], keepExistingWhenNull: true).run(w, in: c)
        }
        if !connections.isEmpty {
            // Rows that carry no status yet (only a health report) insert as 'pending'.
            var w = CopyTextWriter()
            var clearError: [String] = []
            for (id, x) in connections.sorted(by: { $0.key < $1.key }) {
                let error: String? = x.lastError ?? nil
                if case .some(.none) = x.lastError { clearError.append(id) }
                w.row(id, x.provider, x.providerID, x.institution, x.consent, x.status ?? x.initialStatus, x.created, x.expires, x.lastSynced, error)
            }
            try StagedUpsert(table: "connections", columns: ["id", "provider", "provider_connection_id", "institution_id", "consent_id", "status", "created_at", "expires_at", "last_synced_at", "last_error"],
                             conflict: ["id"], update: ["institution_id", "consent_id", "created_at", "expires_at", "last_synced_at", "last_error"], keepExistingWhenNull: true).run(w, in: c)
            // Status only where this batch observed one.
            let withStatus = connections.compactMap { id, row in row.status.map { (id: id, status: $0) } }.sorted { $0.id < $1.id }
            if !withStatus.isEmpty {
                _ = try c.session.query("UPDATE \(c.table("connections")) t SET status = v.status FROM unnest($1::uuid[], $2::text[]) AS v(id, status) WHERE t.id = v.id",
                                        [.textArray(withStatus.map(\.id)), .textArray(withStatus.map(\.status))])
            }
            // Connections learn their consent's expiry (the consent may have come in an earlier batch).
            _ = try c.session.query("""
                UPDATE \(c.table("connections")) t SET expires_at = k.expires_at FROM \(c.table("consents")) k
                WHERE k.id = t.consent_id AND k.expires_at IS NOT NULL AND t.id = ANY($1::uuid[])
                """, [.textArray(connections.keys.sorted())])
            if !clearError.isEmpty {
                _ = try c.session.query("UPDATE \(c.table("connections")) SET last_error = NULL WHERE id = ANY($1::uuid[])", [.textArray(clearError)])
            }
        }
        if !consents.isEmpty {
            _ = try c.session.query("""
                UPDATE \(c.table("connections")) t SET expires_at = k.expires_at FROM \(c.table("consents")) k
                WHERE k.id = t.consent_id AND k.expires_at IS NOT NULL AND k.id = ANY($1::uuid[])
                """, [.textArray(consents.keys.sorted())])
        }
        if !accounts.isEmpty {
            var w = CopyTextWriter()
            for (id, a) in accounts.sorted(by: { $0.key < $1.key }) {
                w.row(id, a.connection, a.provider, a.providerID, a.type, a.name, a.currency, a.iban, a.balanceAmount, a.balanceType, a.balanceDate,
                      a.totalValue, a.unrealised, a.status, a.updated)
            }
            try StagedUpsert(table: "accounts", columns: ["id", "connection_id", "provider", "provider_account_id", "account_type", "name", "currency", "iban",
                                                          "balance_amount", "balance_type", "balance_date", "total_value", "unrealised_pnl", "status", "updated_at"],
                             conflict: ["id"], keepExistingWhenNull: true).run(w, in: c)
        }
        if !booked.isEmpty {
            var w = CopyTextWriter(reservingCapacity: booked.count * 200)
            for t in booked.values { w.row(t.id, t.account, t.key, t.status, t.bookingDate, t.valueDate, t.amount, t.currency, t.counterparty, t.description, t.updated) }
            try StagedUpsert(table: "transactions", columns: Self.transactionColumns, conflict: ["account_id", "provider_transaction_key"], mostlyNew: true).run(w, in: c)
        }
        if !pending.isEmpty {
            let accountIDs = pending.keys.sorted()
            _ = try c.session.query("DELETE FROM \(c.table("transactions")) WHERE status = 'pending' AND account_id = ANY($1::uuid[])", [.textArray(accountIDs)])
            var w = CopyTextWriter()
            for (_, items) in pending.sorted(by: { $0.key < $1.key }) { for t in items { w.row(t.id, t.account, t.key, t.status, t.bookingDate, t.valueDate, t.amount, t.currency, t.counterparty, t.description, t.updated) } }
            try c.session.copyIn("COPY \(c.table("transactions")) (\(Self.transactionColumns.joined(separator: ", "))) FROM STDIN", text: w)
        }
        if !booked.isEmpty || !pending.isEmpty {
            // A pending item whose bank id has since booked is not pending any more.
            let touched = Set(booked.values.map(\.account)).union(pending.keys).sorted()
            _ = try c.session.query("""
                DELETE FROM \(c.table("transactions")) p
                WHERE p.account_id = ANY($1::uuid[]) AND p.status = 'pending' AND \(Self.hasBankID(pendingKey: "p.provider_transaction_key"))
                  AND EXISTS (SELECT 1 FROM \(c.table("transactions")) b WHERE b.account_id = p.account_id
                              AND b.provider_transaction_key = \(Self.bookedKey(ofPending: "p.provider_transaction_key")))
                """, [.textArray(touched)])
        }
        try writeTrading212Holdings(in: c)
        if !holdings.isEmpty {
            let accountIDs = holdings.keys.sorted()
            _ = try c.session.query("DELETE FROM \(c.table("holdings")) WHERE account_id = ANY($1::uuid[])", [.textArray(accountIDs)])
            var w = CopyTextWriter()
            for (_, items) in holdings.sorted(by: { $0.key < $1.key }) {
                for h in items { w.row(h.id, h.account, h.ticker, h.name, h.isin, h.quantity, h.averageCost, h.price, h.value, h.pnl, h.currency, h.updated) }
            }
            try c.session.copyIn("COPY \(c.table("holdings")) (id, account_id, ticker, name, isin, quantity, average_cost, current_price, current_value, unrealised_pnl, currency, updated_at) FROM STDIN", text: w)
        }
        let vanguardWritten = try writeVanguardExport(in: c)
        if !activity.isEmpty {
            let pairs = activity.sorted(by: { $0.key < $1.key })
            _ = try c.session.query("""
                UPDATE \(c.table("connections")) t SET last_synced_at = greatest(t.last_synced_at, v.at)
                FROM (SELECT a.connection_id, max(x.at) AS at FROM unnest($1::uuid[], $2::timestamptz[]) AS x(account, at)
                      JOIN \(c.table("accounts")) a ON a.id = x.account WHERE a.connection_id IS NOT NULL GROUP BY a.connection_id) v
                WHERE t.id = v.connection_id
                """, [.textArray(pairs.map(\.key)), .textArray(pairs.map(\.value))])
        }
        // Annotations resolve against, and rules apply to, the transactions as just written.
        let written = booked.values.map(\.id) + pending.values.flatMap { $0.map(\.id) } + vanguardWritten.ids
        let touchedAccounts = Set(booked.values.map(\.account)).union(pending.keys).union(vanguardWritten.accounts).sorted()
        try annotations.finish(in: c, written: written, touchedAccounts: touchedAccounts)
    }

    /// SQL: whether the pending key in `column` carries the bank's own id (`pending:tid:…`),
    /// the only pending items whose booking can be recognised.
    static func hasBankID(pendingKey column: String) -> String { "\(column) LIKE 'pending:tid:%'" }

    /// SQL: the booked key (`tid:<id>`) a pending key in `column` (`pending:tid:<id>[#n]`) books
    /// under. The one pending→booked reconciliation: unified drops the pending row when this
    /// key is booked, and annotations made on the pending row follow to that booked row.
    static func bookedKey(ofPending column: String) -> String { "substr(split_part(\(column), '#', 1), 9)" }

    static let transactionColumns = ["id", "account_id", "provider_transaction_key", "status", "booking_date", "value_date", "amount", "currency", "counterparty", "description", "updated_at"]
}
