import Postgres

/// How a reader sees a unified transaction's annotations: the one definition of "effective"
/// category, source, tags and note, shared by the API, the CLI and the spend aggregate.
///
/// - category: the person's explicit category (from the annotation stream resolving to the
///   transaction that changed last), else the category of the first matching rule;
/// - `category_source`: `user`, or the id of that rule;
/// - tags: the person's tags (from every annotation stream resolving to the transaction)
///   plus every matching rule's tags, sorted, distinct;
/// - note: the person's note.
public enum AnnotatedTransactionSQL {
    /// `LEFT JOIN LATERAL … ann` for a query over `transactions t` in `schema`, giving
    /// `ann.category_id`, `ann.category` (name), `ann.category_source`, `ann.tags`, `ann.note`.
    public static func join(schema: String, transaction alias: String = "t") -> String {
        let q = { (table: String) in PostgresSession.quoteIdentifier(schema) + "." + PostgresSession.quoteIdentifier(table) }
        return """
            LEFT JOIN LATERAL (
                SELECT x.category_id, cat.name AS category, x.category_source, x.tags, x.note FROM (
                    SELECT coalesce(u.category_id, m.category_id) AS category_id,
                           CASE WHEN u.category_id IS NOT NULL THEN 'user' WHEN m.category_id IS NOT NULL THEN m.rule_id::text END AS category_source,
                           u.note,
                           ARRAY(SELECT DISTINCT g FROM unnest(coalesce(m.tags, '{}') || ARRAY(
                                     SELECT tg.tag FROM \(q("transaction_annotations")) a2 JOIN \(q("transaction_tags")) tg ON tg.target_id = a2.target_id
                                     WHERE a2.transaction_id = \(alias).id)) g ORDER BY g) AS tags
                    FROM (SELECT 1) one
                    LEFT JOIN LATERAL (SELECT a.category_id, a.note FROM \(q("transaction_annotations")) a WHERE a.transaction_id = \(alias).id
                                       ORDER BY a.last_position DESC LIMIT 1) u ON true
                    LEFT JOIN \(q("transaction_rule_matches")) m ON m.transaction_id = \(alias).id) x
                LEFT JOIN \(q("categories")) cat ON cat.id = x.category_id
            ) ann ON true
            """
    }

    /// Spend per month, currency and category (booked debits, by booking/value day; `NULL`
    /// category = uncategorised), computed from the effective categories: `month`,
    /// `currency`, `category_id`, `category`, `spend` (positive), `transaction_count`.
    public static func monthlySpendByCategory(schema: String) -> String {
        """
        SELECT date_trunc('month', coalesce(t.booking_date, t.value_date))::date AS month, t.currency, ann.category_id, ann.category,
               sum(-t.amount) AS spend, count(*) AS transaction_count
        FROM \(PostgresSession.quoteIdentifier(schema)).transactions t \(join(schema: schema))
        WHERE t.status = 'booked' AND t.amount < 0 AND coalesce(t.booking_date, t.value_date) IS NOT NULL
        GROUP BY 1, 2, 3, 4
        """
    }
}
