import Foundation
import Postgres
import Projections

/// One page of `GET /v1/transactions` as SQL: the filters, the keyset after the cursor,
/// newest sort day first, then id. Built once here for the handler and for
/// `finsync bench api`'s libpq baseline, so both run the same statement.
public struct TransactionQuery: Sendable {
    public var accountID: UUID?
    public var status: String?
    /// Booking dates, `YYYY-MM-DD`, inclusive.
    public var bookedFrom: String?
    public var bookedTo: String?
    /// Decimal strings, inclusive.
    public var amountMin: String?
    public var amountMax: String?
    /// Text searched for in counterparty and description (case-insensitive, literally).
    public var text: String?
    public var after: TransactionCursor?
    public var limit: Int
    /// Only this category (name or id), only this tag, only (un)categorised ones.
    public var category: String?
    public var tag: String?
    public var uncategorised: Bool?

    public init(accountID: UUID? = nil, status: String? = nil, bookedFrom: String? = nil, bookedTo: String? = nil, amountMin: String? = nil,
                amountMax: String? = nil, text: String? = nil, after: TransactionCursor? = nil, limit: Int = 100) {
        self.accountID = accountID
        self.status = status
        self.bookedFrom = bookedFrom
        self.bookedTo = bookedTo
        self.amountMin = amountMin
        self.amountMax = amountMax
        self.text = text
        self.after = after
        self.limit = limit
    }

    /// The sort-day expression the keyset indexes are built on.
    static let sortDay = UnifiedProjection.transactionSortDay

    /// The columns of each row, in the order ``APIHandlers/transaction(_:)`` reads them, each
    /// with the cast it is read through; then come the sort day as text and the annotations.
    static let columnList: [(name: String, cast: String)] = [
        ("id", ""), ("account_id", ""), ("provider_transaction_key", ""), ("status", ""), ("booking_date", "::text"), ("value_date", "::text"),
        ("amount", "::text"), ("currency", ""), ("counterparty", ""), ("description", ""), ("updated_at", ""),
    ]

    /// ``columnList`` read from the table or alias `table`, each under its own name.
    static func columns(of table: String) -> String {
        columnList.map { "\(table).\($0.name)\($0.cast) AS \($0.name)" }.joined(separator: ", ")
    }

    /// The annotation columns that follow the sort day (``AnnotatedTransactionSQL``):
    /// category id, category, category source, tags (joined by U+001F), note.
    static let annotationColumns = "ann.category_id::text, ann.category, ann.category_source, array_to_string(ann.tags, chr(31)), ann.note"

    /// The statement and its parameters; it returns `limit + 1` rows, so the caller knows
    /// whether there is a next page. The page is chosen first (annotation filters are set
    /// look-ups, ``AnnotatedTransactionSQL/categoryIn(_:id:schema:)`` and its kin), then only
    /// its rows are annotated.
    public var statement: (sql: String, parameters: [PostgresParameter]) {
        var f = Filters()
        if let accountID { f.add("account_id = $?", PostgresParameter(accountID)) }
        if let status { f.add("status = $?", .text(status)) }
        if let bookedFrom { f.add("booking_date >= $?::date", .text(bookedFrom)) }
        if let bookedTo { f.add("booking_date <= $?::date", .text(bookedTo)) }
        if let amountMin { f.add("amount >= $?::numeric", .text(amountMin)) }
        if let amountMax { f.add("amount <= $?::numeric", .text(amountMax)) }
        if let text, !text.isEmpty { f.add("(counterparty ILIKE $? ESCAPE '\\' OR description ILIKE $? ESCAPE '\\')", .text(Self.likePattern(text))) }
        if let after { f.add("(\(Self.sortDay), id) < ($?1::date, $?2::uuid)", .text(after.day), PostgresParameter(after.id)) }
        let schema = UnifiedProjection().liveSchema
        if let category {
            let ids = "SELECT id FROM \(AnnotatedTransactionSQL.qualified(schema, "categories")) WHERE lower(name) = lower($?) OR id::text = lower($?)"
            f.add(AnnotatedTransactionSQL.categoryIn(ids, id: "transactions.id", schema: schema), .text(category))
        }
        if let tag { f.add(AnnotatedTransactionSQL.tagged("$?", id: "transactions.id", schema: schema), .text(tag)) }
        if let uncategorised {
            let categorised = AnnotatedTransactionSQL.categorised(id: "transactions.id", schema: schema)
            f.add(uncategorised ? "NOT \(categorised) AND $?" : "\(categorised) AND $?", PostgresParameter(true))
        }
        // The page size is written into the statement, not bound: a prepared statement whose
        // LIMIT is a parameter gets a generic plan that expects a tenth of the table, so
        // PostgreSQL keeps planning it afresh (over a millisecond a page); with the size
        // known, the generic plan is the page's plan and is reused. An Int, so nothing to quote.
        let pageLimit = String(limit + 1)
        let inner = """
            SELECT \(Self.columns(of: "transactions")), (\(Self.sortDay))::text AS sort_day, \(Self.sortDay) AS sort_key
            FROM transactions \(f.whereClause) ORDER BY \(Self.sortDay) DESC, id DESC LIMIT \(pageLimit)
            """
        let sql = """
            WITH page AS MATERIALIZED (\(inner))
            SELECT \(Self.columnList.map { "t.\($0.name)" }.joined(separator: ", ")), t.sort_day, \(Self.annotationColumns)
            FROM page t \(AnnotatedTransactionSQL.join(schema: schema, only: "SELECT id FROM page")) ORDER BY t.sort_key DESC, t.id DESC
            """
        return (sql, f.parameters)
    }

    /// `%text%` for ILIKE, with the pattern characters in `text` taken literally.
    static func likePattern(_ text: String) -> String {
        var out = "%"
        for ch in text {
            if ch == "\\" || ch == "%" || ch == "_" { out.append("\\") }
            out.append(ch)
        }
        return out + "%"
    }
}
