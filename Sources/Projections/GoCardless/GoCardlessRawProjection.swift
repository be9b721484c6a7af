import CanonicalJSON
import EventLog
import OrderedCollections
import Postgres

/// Raw GoCardless tables: one row per provider entity, provider field names in snake_case,
/// the provider's JSON kept alongside.
///
/// Owns `gc_institutions`, `gc_agreements`, `gc_requisitions`, `gc_bank_accounts`,
/// `gc_balances` (the latest answer per account) and `gc_transactions` (booked rows keyed by
/// transaction key; pending rows are the latest pending set, minus any that has booked).
public struct GoCardlessRawProjection: Projection {
    public init() {}
    public let name = "gocardless_raw"
    public let version = 1
    public let liveSchema = "public"
    public let eventTypes: Set<String> = [
        EventCatalog.gocardlessInstitutionObserved.name, EventCatalog.gocardlessAgreementObserved.name, EventCatalog.gocardlessRequisitionObserved.name,
        EventCatalog.gocardlessAccountObserved.name, EventCatalog.gocardlessAccountDetailsObserved.name, EventCatalog.gocardlessBalancesObserved.name,
        EventCatalog.gocardlessTransactionBooked.name, EventCatalog.gocardlessPendingObserved.name,
    ]
    public let tables = ["gc_institutions", "gc_agreements", "gc_requisitions", "gc_bank_accounts", "gc_balances", "gc_transactions"]

    public func createTables(in c: ProjectionContext) throws {
        _ = try c.session.execute("""
            CREATE TABLE IF NOT EXISTS \(c.table("gc_institutions")) (
                id text PRIMARY KEY, name text, bic text, transaction_total_days integer, max_access_valid_for_days integer,
                countries text[], logo text, raw jsonb NOT NULL, observed_at timestamptz NOT NULL);
            CREATE TABLE IF NOT EXISTS \(c.table("gc_agreements")) (
                id text PRIMARY KEY, institution_id text, created timestamptz, max_historical_days integer, access_valid_for_days integer,
                access_scope text[], accepted timestamptz, raw jsonb NOT NULL, observed_at timestamptz NOT NULL);
            CREATE TABLE IF NOT EXISTS \(c.table("gc_requisitions")) (
                id text PRIMARY KEY, status text, institution_id text, agreement text, reference text, link text,
                accounts text[], created timestamptz, raw jsonb NOT NULL, observed_at timestamptz NOT NULL);
            CREATE TABLE IF NOT EXISTS \(c.table("gc_bank_accounts")) (
                id text PRIMARY KEY, iban text, bban text, currency text, owner_name text, name text, product text,
                cash_account_type text, institution_id text, status text, created timestamptz, last_accessed timestamptz,
                observed_at timestamptz NOT NULL);
            CREATE TABLE IF NOT EXISTS \(c.table("gc_balances")) (
                account_id text NOT NULL, balance_type text NOT NULL, ordinal integer NOT NULL, amount numeric NOT NULL, currency text NOT NULL,
                reference_date date, last_change_date_time timestamptz, credit_limit_included boolean, observed_at timestamptz NOT NULL,
                PRIMARY KEY (account_id, balance_type, ordinal));
            CREATE TABLE IF NOT EXISTS \(c.table("gc_transactions")) (
                id uuid PRIMARY KEY, account_id text NOT NULL, transaction_key text NOT NULL, transaction_id text,
                internal_transaction_id text, booking_date date, value_date date, transaction_amount numeric NOT NULL,
                currency text NOT NULL, creditor_name text, debtor_name text, remittance_information text,
                status text NOT NULL CHECK (status IN ('booked', 'pending')), extracted_at timestamptz NOT NULL, raw jsonb NOT NULL,
                UNIQUE (account_id, transaction_key));
            CREATE INDEX IF NOT EXISTS gc_transactions_pending ON \(c.table("gc_transactions")) (account_id) WHERE status = 'pending';
            """)
    }

    public func apply(_ events: [ProjectedEvent], in c: ProjectionContext) throws {
        var institutions: [String: ProjectedEvent] = [:], agreements: [String: ProjectedEvent] = [:], requisitions: [String: ProjectedEvent] = [:]
        var metadata: [String: ProjectedEvent] = [:], details: [String: ProjectedEvent] = [:]
        // Every answer is normalised, even one a later answer in the batch replaces: an
        // answer that cannot be is refused whatever the batch boundaries.
        var balances: [String: (event: ProjectedEvent, balances: [GoCardlessBalance])] = [:]
        var pending: [String: (event: ProjectedEvent, items: [GoCardlessTransaction])] = [:]
        // In event order (no sort: keys are unique within the batch, and the order is deterministic).
        var booked: OrderedDictionary<String, (booking: GoCardlessBooking, event: ProjectedEvent)> = [:]  // by row id
        for e in events {
            switch e.type {
            case EventCatalog.gocardlessInstitutionObserved.name: institutions[try e.string("id")] = e
            case EventCatalog.gocardlessAgreementObserved.name: agreements[try e.string("id")] = e
            case EventCatalog.gocardlessRequisitionObserved.name: requisitions[try e.string("id")] = e
            case EventCatalog.gocardlessAccountObserved.name: metadata[try e.string("id")] = e
            case EventCatalog.gocardlessAccountDetailsObserved.name: details[try e.string("account_id")] = e
            case EventCatalog.gocardlessBalancesObserved.name: balances[try e.string("account_id")] = (e, try e.gocardlessBalances())
            case EventCatalog.gocardlessPendingObserved.name: pending[try e.string("account_id")] = (e, try e.gocardlessPending())
            case EventCatalog.gocardlessTransactionBooked.name:
                let b = try e.booking()
                booked[b.rowID] = (b, e)
            default: break
            }
        }

        if !institutions.isEmpty {
            var w = CopyTextWriter()
            for (id, e) in institutions.sorted(by: { $0.key < $1.key }) {
                let j = e.json
                w.row(id, j["name"]?.string, j["bic"]?.string, j["transaction_total_days"]?.intText, j["max_access_valid_for_days"]?.intText,
                      j["countries"]?.textArrayLiteral, j["logo"]?.string, j.canonicalString, e.recordedAtText)
            }
            try StagedUpsert(table: "gc_institutions", columns: ["id", "name", "bic", "transaction_total_days", "max_access_valid_for_days", "countries", "logo", "raw", "observed_at"], conflict: ["id"]).run(w, in: c)
        }
        if !agreements.isEmpty {
            var w = CopyTextWriter()
            for (id, e) in agreements.sorted(by: { $0.key < $1.key }) {
                let j = e.json
                w.row(id, j["institution_id"]?.string, CalendarDay.timestamp(j["created"]), j["max_historical_days"]?.intText, j["access_valid_for_days"]?.intText,
                      j["access_scope"]?.textArrayLiteral, CalendarDay.timestamp(j["accepted"]), j.canonicalString, e.recordedAtText)
            }
            try StagedUpsert(table: "gc_agreements", columns: ["id", "institution_id", "created", "max_historical_days", "access_valid_for_days", "access_scope", "accepted", "raw", "observed_at"], conflict: ["id"]).run(w, in: c)
        }
        if !requisitions.isEmpty {
            var w = CopyTextWriter()
            for (id, e) in requisitions.sorted(by: { $0.key < $1.key }) {
                let j = e.json
                w.row(id, j["status"]?.string, j["institution_id"]?.string, j["agreement"]?.string, j["reference"]?.string, j["link"]?.string,
                      j["accounts"]?.textArrayLiteral ?? "{}", CalendarDay.timestamp(j["created"]), j.canonicalString, e.recordedAtText)
            }
            try StagedUpsert(table: "gc_requisitions", columns: ["id", "status", "institution_id", "agreement", "reference", "link", "accounts", "created", "raw", "observed_at"], conflict: ["id"]).run(w, in: c)
        }
        // Accounts: metadata is authoritative for identity fields; details fill what it lacks.
        if !metadata.isEmpty {
            var w = CopyTextWriter()
            for (id, e) in metadata.sorted(by: { $0.key < $1.key }) {
                let j = e.json
                w.row(id, j["iban"]?.nonBlank, j["bban"]?.nonBlank, j["owner_name"]?.nonBlank, j["institution_id"]?.string, j["status"]?.string,
                      CalendarDay.timestamp(j["created"]), CalendarDay.timestamp(j["last_accessed"]), e.recordedAtText)
            }
            try StagedUpsert(table: "gc_bank_accounts", columns: ["id", "iban", "bban", "owner_name", "institution_id", "status", "created", "last_accessed", "observed_at"],
                             conflict: ["id"], update: ["iban", "bban", "owner_name", "institution_id", "status", "created", "last_accessed", "observed_at"], keepExistingWhenNull: true).run(w, in: c)
        }
        if !details.isEmpty {
            var w = CopyTextWriter()
            for (id, e) in details.sorted(by: { $0.key < $1.key }) {
                let d = e.json["details"] ?? .null
                w.row(id, d["iban"]?.nonBlank, d["bban"]?.nonBlank, d["ownerName"]?.nonBlank, d["currency"]?.nonBlank, d["name"]?.nonBlank ?? d["displayName"]?.nonBlank,
                      d["product"]?.nonBlank, d["cashAccountType"]?.nonBlank, d["status"]?.nonBlank, e.recordedAtText)
            }
            try StagedUpsert(table: "gc_bank_accounts", columns: ["id", "iban", "bban", "owner_name", "currency", "name", "product", "cash_account_type", "status", "observed_at"],
                             conflict: ["id"], update: ["iban", "bban", "owner_name", "currency", "name", "product", "cash_account_type", "status", "observed_at"],
                             keepExistingWhenNull: true, preferExisting: ["iban", "bban", "owner_name", "status"]).run(w, in: c)
        }
        if !balances.isEmpty {
            let accounts = balances.keys.sorted()
            _ = try c.session.query("DELETE FROM \(c.table("gc_balances")) WHERE account_id = ANY($1::text[])", [.textArray(accounts)])
            var w = CopyTextWriter()
            for account in accounts {
                guard let (e, list) = balances[account] else { continue }
                var ordinals: [String: Int] = [:]
                for b in list {
                    let n = ordinals[b.type, default: 0]
                    ordinals[b.type] = n + 1
                    w.row(account, b.type, String(n), b.amount, b.currency, b.referenceDate, b.lastChangeDateTime,
                          b.creditLimitIncluded.map { $0 ? "t" : "f" }, e.recordedAtText)
                }
            }
            try c.session.copyIn("COPY \(c.table("gc_balances")) (account_id, balance_type, ordinal, amount, currency, reference_date, last_change_date_time, credit_limit_included, observed_at) FROM STDIN", text: w)
        }
        if !booked.isEmpty {
            var w = CopyTextWriter(reservingCapacity: booked.count * 700)
            for (b, e) in booked.values {
                let tx = b.transaction
                w.row(b.rowID, b.accountID, b.key, tx.transactionID, tx.internalTransactionID, tx.bookingDate, tx.valueDate, tx.amount, tx.currency,
                      tx.creditorName, tx.debtorName, tx.description, "booked", e.recordedAtText, e.canonicalText(ofMember: "transaction") ?? tx.item.canonicalString)
            }
            try StagedUpsert(table: "gc_transactions", columns: Self.transactionColumns, conflict: ["account_id", "transaction_key"], mostlyNew: true).run(w, in: c)
        }
        if !pending.isEmpty {
            let accounts = pending.keys.sorted()
            _ = try c.session.query("DELETE FROM \(c.table("gc_transactions")) WHERE status = 'pending' AND account_id = ANY($1::text[])", [.textArray(accounts)])
            var w = CopyTextWriter()
            for account in accounts {
                guard let (e, items) = pending[account] else { continue }
                for (t, n) in zip(items, GoCardlessTransaction.occurrences(items)) {
                    let key = "pending:" + GoCardlessTransaction.bookedKey(identity: t.identity, occurrence: n)
                    w.row(GoCardlessBooking.rowID(account: account, key: key), account, key, t.transactionID, t.internalTransactionID,
                          t.bookingDate, t.valueDate, t.amount, t.currency, t.creditorName, t.debtorName, t.description, "pending",
                          e.recordedAtText, t.item.canonicalString)
                }
            }
            try c.session.copyIn("COPY \(c.table("gc_transactions")) (\(Self.transactionColumns.joined(separator: ", "))) FROM STDIN", text: w)
        }
        if !booked.isEmpty || !pending.isEmpty {
            // A pending item whose id has booked is no longer pending.
            let accounts = Set(booked.values.map(\.booking.accountID)).union(pending.keys).sorted()
            _ = try c.session.query("""
                DELETE FROM \(c.table("gc_transactions")) p WHERE p.status = 'pending' AND p.account_id = ANY($1::text[]) AND p.transaction_id IS NOT NULL
                AND EXISTS (SELECT 1 FROM \(c.table("gc_transactions")) b WHERE b.account_id = p.account_id AND b.transaction_key = 'tid:' || p.transaction_id)
                """, [.textArray(accounts)])
        }
    }

    static let transactionColumns = ["id", "account_id", "transaction_key", "transaction_id", "internal_transaction_id", "booking_date", "value_date",
                                     "transaction_amount", "currency", "creditor_name", "debtor_name", "remittance_information", "status", "extracted_at", "raw"]
}
