/// The one implementation of rule matching, as SQL: the fold materialises its result in
/// `transaction_rule_matches`, and `rules preview` runs the same query with a draft rule
/// added, so a preview shows exactly what saving the rule and folding it would do.
///
/// Semantics (see ``RuleDefinition``): rules are taken in `position` order; the first
/// matching rule that sets a category gives the category (and is the `category_source`);
/// the tags of every matching rule are added.
public enum RuleMatching {
    /// The rules of `table` whose ids are in the `uuid[]` parameter `placeholder`, as a rules relation.
    public static func rules(in table: String, idsIn placeholder: String) -> String {
        "(SELECT \(ruleColumns.joined(separator: ", ")) FROM \(table) WHERE id = ANY(\(placeholder)::uuid[]))"
    }

    /// The columns a rules relation must have, in this order (the `rules` table's, and a
    /// draft's `VALUES` row).
    public static let ruleColumns = ["id", "position", "provider", "account_id", "counterparty", "description", "description_regex",
                                     "amount_min", "amount_max", "sign", "category_id", "tags"]

    /// A `SELECT transaction_id, rule_id, category_id, tags, pending, rule_ids` over the
    /// transactions of `transactions` (joined to `accounts` for the provider) selected by
    /// `filter` (SQL on alias `t`), matched against the rules relation `rules`; `rule_ids`
    /// lists every matching rule in order (what a change of one of them may change); a
    /// transaction no rule matches gives no row.
    public static func select(transactions: String, accounts: String, rules: String, where filter: String) -> String {
        """
        SELECT t.id AS transaction_id, m.rule_id, m.category_id,
               ARRAY(SELECT DISTINCT g FROM unnest(string_to_array(m.tag_text, chr(31))) g WHERE g <> '' ORDER BY g) AS tags,
               t.status = 'pending' AS pending, m.rule_ids
        FROM (SELECT t.id, t.account_id, t.status, t.amount, coalesce(t.description, '') AS description_text,
                     lower(coalesce(t.description, '')) AS description_lower, lower(coalesce(t.counterparty, '')) AS counterparty_lower
              FROM \(transactions) t WHERE \(filter)) t
        JOIN \(accounts) a ON a.id = t.account_id
        CROSS JOIN LATERAL (
            SELECT (array_agg(r.id ORDER BY r.position, r.id) FILTER (WHERE r.category_id IS NOT NULL))[1] AS rule_id,
                   (array_agg(r.category_id ORDER BY r.position, r.id) FILTER (WHERE r.category_id IS NOT NULL))[1] AS category_id,
                   string_agg(array_to_string(r.tags, chr(31)), chr(31)) AS tag_text,
                   array_agg(r.id ORDER BY r.position, r.id) AS rule_ids
            FROM \(rules) r
            WHERE (r.provider IS NULL OR r.provider = a.provider)
              AND (r.account_id IS NULL OR r.account_id = t.account_id)
              AND (r.sign IS NULL OR (r.sign = 'debit' AND t.amount < 0) OR (r.sign = 'credit' AND t.amount > 0))
              AND (r.amount_min IS NULL OR abs(t.amount) >= r.amount_min)
              AND (r.amount_max IS NULL OR abs(t.amount) <= r.amount_max)
              AND (r.counterparty IS NULL OR strpos(t.counterparty_lower, lower(r.counterparty)) > 0)
              AND (r.description IS NULL OR strpos(t.description_lower, lower(r.description)) > 0)
              AND (r.description_regex IS NULL OR t.description_text ~* r.description_regex)
        ) m
        WHERE m.rule_ids IS NOT NULL
        """
    }
}
