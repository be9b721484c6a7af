import CanonicalJSON
import EventLog
import OrderedCollections
import Postgres

/// Raw Enable Banking tables, named for what they hold, the provider's JSON alongside:
/// `eb_aspsps` (banks), `eb_sessions` (one per connection: the latest session observed),
/// `eb_accounts` (by finsync's stable account key, with the current uid),
/// `eb_balances` (the latest answer per account, ISO 20022 types as sent) and
/// `eb_transactions` (booked rows by key; pending rows are the latest pending set minus
/// any whose `entry_reference` has booked).
public struct EnableBankingRawProjection: Projection {
    public init() {}
    public let name = "enablebanking_raw"
    public let version = 1
    public let liveSchema = "public"
    public let eventTypes: Set<String> = [
        EventCatalog.enablebankingAspspObserved.name, EventCatalog.enablebankingSessionObserved.name, EventCatalog.enablebankingAccountObserved.name,
        EventCatalog.enablebankingBalancesObserved.name, EventCatalog.enablebankingTransactionBooked.name, EventCatalog.enablebankingPendingObserved.name,
    ]
    public let tables = ["eb_aspsps", "eb_sessions", "eb_accounts", "eb_balances", "eb_transactions"]

    public func createTables(in c: ProjectionContext) throws {
        _ = try c.session.execute("""
            CREATE TABLE IF NOT EXISTS \(c.table("eb_aspsps")) (
                country text NOT NULL, name text NOT NULL, bic text, logo text, maximum_consent_validity integer, required_psu_headers text[],
                beta boolean, raw jsonb NOT NULL, observed_at timestamptz NOT NULL, PRIMARY KEY (country, name));
            CREATE TABLE IF NOT EXISTS \(c.table("eb_sessions")) (
                connection text PRIMARY KEY, session_id text NOT NULL, aspsp_name text, aspsp_country text, status text, valid_until timestamptz,
                authorized timestamptz, raw jsonb NOT NULL, observed_at timestamptz NOT NULL);
            CREATE TABLE IF NOT EXISTS \(c.table("eb_accounts")) (
                account_key text PRIMARY KEY, connection text, uid text, identification_hash text, iban text, name text, currency text,
                cash_account_type text, aspsp_name text, aspsp_country text, raw jsonb NOT NULL, observed_at timestamptz NOT NULL);
            CREATE TABLE IF NOT EXISTS \(c.table("eb_balances")) (
                account_key text NOT NULL, balance_type text NOT NULL, ordinal integer NOT NULL, amount numeric NOT NULL, currency text NOT NULL,
                reference_date date, last_change_date_time timestamptz, observed_at timestamptz NOT NULL,
                PRIMARY KEY (account_key, balance_type, ordinal));
            CREATE TABLE IF NOT EXISTS \(c.table("eb_transactions")) (
                id uuid PRIMARY KEY, account_key text NOT NULL, transaction_key text NOT NULL, entry_reference text,
                booking_date date, value_date date, transaction_date date, amount numeric NOT NULL, currency text NOT NULL,
                credit_debit_indicator text, counterparty text, description text,
                status text NOT NULL CHECK (status IN ('booked', 'pending')), extracted_at timestamptz NOT NULL, raw jsonb NOT NULL,
                UNIQUE (account_key, transaction_key));
            """)
    }

    public func apply(_ events: [ProjectedEvent], in c: ProjectionContext) throws {
        var aspsps: [String: ProjectedEvent] = [:], sessions: [String: ProjectedEvent] = [:], accounts: [String: ProjectedEvent] = [:]
        var balances: [String: (event: ProjectedEvent, balances: [GoCardlessBalance])] = [:]
        var pending: [String: (event: ProjectedEvent, items: [EnableBankingBooking])] = [:]
        var booked: OrderedDictionary<String, (booking: EnableBankingBooking, event: ProjectedEvent)> = [:]
        for e in events {
            switch e.type {
            case EventCatalog.enablebankingAspspObserved.name: aspsps[try e.string("country") + "\u{1F}" + e.string("name")] = e
            case EventCatalog.enablebankingSessionObserved.name: sessions[try e.string("connection")] = e
            case EventCatalog.enablebankingAccountObserved.name: accounts[try e.string("account_key")] = e
            case EventCatalog.enablebankingBalancesObserved.name: balances[try e.string("account_key")] = (e, try e.enableBankingBalances())
            case EventCatalog.enablebankingPendingObserved.name: pending[try e.string("account_key")] = (e, try e.enableBankingPending())
            case EventCatalog.enablebankingTransactionBooked.name:
                let b = try e.enableBankingBooking()
                booked[b.rowID] = (b, e)
            default: break
            }
        }
        if !aspsps.isEmpty {
            var w = CopyTextWriter()
            for (_, e) in aspsps.sorted(by: { $0.key < $1.key }) {
                let j = e.json
                w.row(j["country"]?.string, j["name"]?.string, j["bic"]?.nonBlank, j["logo"]?.string, j["maximum_consent_validity"]?.intText,
                      j["required_psu_headers"]?.textArrayLiteral, j["beta"]?.bool.map { $0 ? "t" : "f" }, j.canonicalString, e.recordedAtText)
            }
            try StagedUpsert(table: "eb_aspsps", columns: ["country", "name", "bic", "logo", "maximum_consent_validity", "required_psu_headers", "beta", "raw", "observed_at"],
                             conflict: ["country", "name"]).run(w, in: c)
        }
        if !sessions.isEmpty {
            var w = CopyTextWriter()
            for (conn, e) in sessions.sorted(by: { $0.key < $1.key }) {
                let j = e.json, s = j["session"] ?? .null
                w.row(conn, j["session_id"]?.string, j["aspsp"]?["name"]?.string, j["aspsp"]?["country"]?.string, s["status"]?.string,
                      CalendarDay.timestamp(s["access"]?["valid_until"]), CalendarDay.timestamp(s["authorized"]), s.canonicalString, e.recordedAtText)
            }
            try StagedUpsert(table: "eb_sessions", columns: ["connection", "session_id", "aspsp_name", "aspsp_country", "status", "valid_until", "authorized", "raw", "observed_at"],
                             conflict: ["connection"]).run(w, in: c)
        }
        if !accounts.isEmpty {
            var w = CopyTextWriter()
            for (key, e) in accounts.sorted(by: { $0.key < $1.key }) {
                let j = e.json, a = j["account"] ?? .null
                w.row(key, j["connection"]?.string, j["uid"]?.string, a["identification_hash"]?.string, a["account_id"]?["iban"]?.nonBlank, a["name"]?.nonBlank,
                      a["currency"]?.nonBlank, a["cash_account_type"]?.nonBlank, j["aspsp"]?["name"]?.string, j["aspsp"]?["country"]?.string, a.canonicalString, e.recordedAtText)
            }
            try StagedUpsert(table: "eb_accounts", columns: ["account_key", "connection", "uid", "identification_hash", "iban", "name", "currency", "cash_account_type",
                                                             "aspsp_name", "aspsp_country", "raw", "observed_at"], conflict: ["account_key"]).run(w, in: c)
        }
        if !balances.isEmpty {
            let keys = balances.keys.sorted()
            _ = try c.session.query("DELETE FROM \(c.table("eb_balances")) WHERE account_key = ANY($1::text[])", [.textArray(keys)])
            var w = CopyTextWriter()
            for key in keys {
                guard let (e, list) = balances[key] else { continue }
                let codes = e.json["balances"]?.array?.map { $0["balance_type"]?.string ?? "" } ?? []
                var ordinals: [String: Int] = [:]
                for (i, b) in list.enumerated() {
                    let code = i < codes.count ? codes[i] : b.type
                    let n = ordinals[code, default: 0]
                    ordinals[code] = n + 1
                    w.row(key, code, String(n), b.amount, b.currency, b.referenceDate, b.lastChangeDateTime, e.recordedAtText)
                }
            }
            try c.session.copyIn("COPY \(c.table("eb_balances")) (account_key, balance_type, ordinal, amount, currency, reference_date, last_change_date_time, observed_at) FROM STDIN", text: w)
        }
        func row(_ w: inout CopyTextWriter, _ b: EnableBankingBooking, status: String, _ e: ProjectedEvent, raw: String) {
            let t = b.transaction
            w.row(b.rowID, b.accountKey, b.key, t.entryReference, t.bookingDate, t.valueDate, t.transactionDate, t.amount, t.currency, t.indicator,
                  t.counterparty, t.description, status, e.recordedAtText, raw)
        }
        if !booked.isEmpty {
            var w = CopyTextWriter()
            for (b, e) in booked.values { row(&w, b, status: "booked", e, raw: e.canonicalText(ofMember: "transaction") ?? b.transaction.item.canonicalString) }
            try StagedUpsert(table: "eb_transactions", columns: Self.transactionColumns, conflict: ["account_key", "transaction_key"], mostlyNew: true).run(w, in: c)
        }
        if !pending.isEmpty {
            let keys = pending.keys.sorted()
            _ = try c.session.query("DELETE FROM \(c.table("eb_transactions")) WHERE status = 'pending' AND account_key = ANY($1::text[])", [.textArray(keys)])
            var w = CopyTextWriter()
            for key in keys {
                guard let (e, items) = pending[key] else { continue }
                for b in items { row(&w, b, status: "pending", e, raw: b.transaction.item.canonicalString) }
            }
            try c.session.copyIn("COPY \(c.table("eb_transactions")) (\(Self.transactionColumns.joined(separator: ", "))) FROM STDIN", text: w)
        }
        if !booked.isEmpty || !pending.isEmpty {
            let keys = Set(booked.values.map(\.booking.accountKey)).union(pending.keys).sorted()
            _ = try c.session.query("""
                DELETE FROM \(c.table("eb_transactions")) p WHERE p.status = 'pending' AND p.account_key = ANY($1::text[]) AND p.entry_reference IS NOT NULL
                AND EXISTS (SELECT 1 FROM \(c.table("eb_transactions")) b WHERE b.account_key = p.account_key AND b.transaction_key = 'tid:' || p.entry_reference)
                """, [.textArray(keys)])
        }
    }

    static let transactionColumns = ["id", "account_key", "transaction_key", "entry_reference", "booking_date", "value_date", "transaction_date", "amount", "currency",
                                     "credit_debit_indicator", "counterparty", "description", "status", "extracted_at", "raw"]
}
