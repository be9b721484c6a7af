import CanonicalJSON
import EventLog
import Postgres

/// Provider-neutral tables that an API, a UI and analysts read: `institutions`,
/// `consents`, `connections`, `accounts`, `holdings` and `transactions`.
///
/// Ids are deterministic (UUIDv5 of provider and provider id), and every timestamp comes
/// from events, so a rebuild reproduces identical rows. Each batch is folded in memory by
/// row (later events win) and written with one bulk upsert per table.
public struct UnifiedProjection: Projection {
    public init() {}
    public let name = "unified"
    /// 2: Vanguard export blocks as accounts (and `holdings.price_date`), and the keyset indexes `transactions_by_day` and `transactions_account_by_day` (the API's
    /// transaction pages: newest sort day first, then id).
    /// 3: user events — annotations, categories and rules (``AnnotationBatch``).
    public let version = 3
    public let liveSchema = "public"
    /// The folds that make the unified tables, one per provider or concern (each declared
    /// next to its fold); the subscribed types and the dispatch both come from this list.
    static let folds: [UnifiedFold] = [.goCardless, .enableBanking, .trading212, .vanguard, .vanguardExport, .health, .annotations]
    private static let foldByType = UnifiedFold.dispatch(folds)
    public let eventTypes: Set<String> = folds.reduce(into: []) { $0.formUnion($1.eventTypes) }
    /// The contract tables, then private ones that holdings are derived from.
    public let tables = ["institutions", "consents", "connections", "accounts", "holdings", "transactions", "instrument_metadata", "trading212_position_state",
                         "vanguard_export_rows", "vanguard_export_accounts"] + AnnotationBatch.tables

    public func createTables(in c: ProjectionContext) throws {
        _ = try c.session.execute("""
            CREATE TABLE IF NOT EXISTS \(c.table("institutions")) (
                id uuid PRIMARY KEY, provider text NOT NULL, provider_institution_id text NOT NULL, name text, bic text,
                logo_url text, countries text[], UNIQUE (provider, provider_institution_id));
            CREATE TABLE IF NOT EXISTS \(c.table("consents")) (
                id uuid PRIMARY KEY, provider text NOT NULL, provider_consent_id text NOT NULL, institution_id uuid,
                created_at timestamptz, expires_at timestamptz, max_historical_days integer, access_scope text[],
                UNIQUE (provider, provider_consent_id));
            CREATE TABLE IF NOT EXISTS \(c.table("connections")) (
                id uuid PRIMARY KEY, provider text NOT NULL, provider_connection_id text NOT NULL, institution_id uuid,
                consent_id uuid, status text NOT NULL, created_at timestamptz, expires_at timestamptz,
                last_synced_at timestamptz, last_error text, UNIQUE (provider, provider_connection_id));
            CREATE TABLE IF NOT EXISTS \(c.table("accounts")) (
                id uuid PRIMARY KEY, connection_id uuid, provider text NOT NULL, provider_account_id text NOT NULL,
                account_type text NOT NULL CHECK (account_type IN ('bank', 'investment', 'trading')),
                name text, currency text, iban text, balance_amount numeric, balance_type text, balance_date date,
                total_value numeric(18,2), unrealised_pnl numeric(18,2), status text, updated_at timestamptz NOT NULL,
                UNIQUE (provider, provider_account_id));
            CREATE TABLE IF NOT EXISTS \(c.table("holdings")) (
                id uuid PRIMARY KEY, account_id uuid NOT NULL, ticker text, name text, isin text, quantity numeric NOT NULL,
                average_cost numeric, current_price numeric, current_value numeric(18,2), unrealised_pnl numeric(18,2),
                currency text, updated_at timestamptz NOT NULL, price_date date);
            ALTER TABLE \(c.table("holdings")) ADD COLUMN IF NOT EXISTS price_date date;
            CREATE INDEX IF NOT EXISTS holdings_account ON \(c.table("holdings")) (account_id);
            CREATE TABLE IF NOT EXISTS \(c.table("transactions")) (
                id uuid PRIMARY KEY, account_id uuid NOT NULL, provider_transaction_key text NOT NULL,
                status text NOT NULL CHECK (status IN ('booked', 'pending')), booking_date date, value_date date,
                amount numeric NOT NULL, currency text NOT NULL, counterparty text, description text,
                updated_at timestamptz NOT NULL, UNIQUE (account_id, provider_transaction_key));
            CREATE INDEX IF NOT EXISTS transactions_pending ON \(c.table("transactions")) (account_id) WHERE status = 'pending';
            CREATE INDEX IF NOT EXISTS transactions_by_day ON \(c.table("transactions")) ((\(Self.transactionSortDay)), id);
            CREATE INDEX IF NOT EXISTS transactions_account_by_day ON \(c.table("transactions")) (account_id, (\(Self.transactionSortDay)), id);
            CREATE TABLE IF NOT EXISTS \(c.table("instrument_metadata")) (
                provider text NOT NULL, ticker text NOT NULL, name text, isin text, currency text, updated_at timestamptz NOT NULL,
                PRIMARY KEY (provider, ticker));
            CREATE TABLE IF NOT EXISTS \(c.table("trading212_position_state")) (
                account_id uuid NOT NULL, ticker text NOT NULL, holding_id uuid NOT NULL, quantity numeric NOT NULL, average_price numeric,
                current_price numeric, currency text, name text, isin text, current_value numeric, unrealised_pnl numeric,
                updated_at timestamptz NOT NULL, PRIMARY KEY (account_id, ticker));
            \(UnifiedBatch.vanguardExportRows.createTable(in: c))
            CREATE TABLE IF NOT EXISTS \(c.table("vanguard_export_accounts")) (
                export_account uuid PRIMARY KEY, connection text NOT NULL, account text NOT NULL, hierarchy_id text,
                linked_at timestamptz, target_account uuid);
            """)
        try AnnotationBatch.createTables(in: c)
    }

    /// The day a transaction sorts by in the API (newest first): its booking date, else its
    /// value date (pending items), else `-infinity`. The keyset indexes are built on exactly
    /// this expression, so a page query must spell it the same way (it uses this constant).
    public static let transactionSortDay = "coalesce(booking_date, value_date, '-infinity'::date)"

    public func apply(_ events: [ProjectedEvent], in c: ProjectionContext) throws {
        var batch = UnifiedBatch()
        for e in events {
            try Self.foldByType[e.type]?.fold(&batch, e, c)
        }
        try batch.write(in: c)
    }
}
