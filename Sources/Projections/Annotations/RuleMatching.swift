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
    ///
    /// Text conditions are evaluated once per distinct counterparty and description (there
    /// are far fewer than transactions), then joined back by equality: each transaction only
    /// meets the rules whose text conditions it passes, plus the rules with none.
    public static func select(transactions: String, accounts: String, rules: String, where filter: String) -> String {
        """
        WITH tx AS MATERIALIZED (
                 SELECT t.id, t.account_id, a.provider, t.status, t.amount, lower(coalesce(t.counterparty, '')) AS cp, coalesce(t.description, '') AS d
                 FROM \(transactions) t JOIN \(accounts) a ON a.id = t.account_id WHERE \(filter)),
             rs AS MATERIALIZED (SELECT r.*, r.counterparty IS NOT NULL AS by_cp, (r.description IS NOT NULL OR r.description_regex IS NOT NULL) AS by_d FROM \(rules) r),
             cp_hits AS (SELECT c.cp, r.id, r.by_d FROM (SELECT DISTINCT cp FROM tx) c JOIN rs r ON r.by_cp AND strpos(c.cp, lower(r.counterparty)) > 0),
             d_hits AS (SELECT x.d, r.id, r.by_cp FROM (SELECT DISTINCT d FROM tx) x JOIN rs r ON r.by_d
                            AND (r.description IS NULL OR strpos(lower(x.d), lower(r.description)) > 0)
                            AND (r.description_regex IS NULL OR x.d ~* r.description_regex)),
             -- Transaction and rule pairs whose text conditions hold: by counterparty alone, by
             -- description alone, by both, or with none.
             pairs AS (
                 SELECT tx.*, h.id AS rid FROM tx JOIN cp_hits h ON h.cp = tx.cp AND NOT h.by_d
                 UNION ALL SELECT tx.*, h.id FROM tx JOIN d_hits h ON h.d = tx.d AND NOT h.by_cp
                 UNION ALL SELECT tx.*, h.id FROM tx JOIN cp_hits h ON h.cp = tx.cp AND h.by_d JOIN d_hits k ON k.d = tx.d AND k.id = h.id
                 UNION ALL SELECT tx.*, r.id FROM tx CROSS JOIN rs r WHERE NOT r.by_cp AND NOT r.by_d)
        SELECT t.id AS transaction_id,
               (array_agg(r.id ORDER BY r.position, r.id) FILTER (WHERE r.category_id IS NOT NULL))[1] AS rule_id,
               (array_agg(r.category_id ORDER BY r.position, r.id) FILTER (WHERE r.category_id IS NOT NULL))[1] AS category_id,
               ARRAY(SELECT DISTINCT g FROM unnest(string_to_array(string_agg(array_to_string(r.tags, chr(31)), chr(31)), chr(31))) g WHERE g <> '' ORDER BY g) AS tags,
               t.status = 'pending' AS pending,
               array_agg(r.id ORDER BY r.position, r.id) AS rule_ids
        FROM pairs t JOIN rs r ON r.id = t.rid
        WHERE (r.provider IS NULL OR r.provider = t.provider)
          AND (r.account_id IS NULL OR r.account_id = t.account_id)
          AND (r.sign IS NULL OR (r.sign = 'debit' AND t.amount < 0) OR (r.sign = 'credit' AND t.amount > 0))
          AND (r.amount_min IS NULL OR abs(t.amount) >= r.amount_min)
          AND (r.amount_max IS NULL OR abs(t.amount) <= r.amount_max)
        GROUP BY t.id, t.status
        """
    }
}
