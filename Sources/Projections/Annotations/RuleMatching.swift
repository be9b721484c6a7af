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
    /// Rules are matched per *class* of transactions, not per transaction: every condition
    /// depends only on the account (and so the provider), the counterparty, the description
    /// and where the amount lies among the rules' amount bounds. The bounds (`0`, `±amount_min`,
    /// `±amount_max` of the rules with an amount or sign condition) cut the amount axis into
    /// cells — each bound itself and the open gaps between them — on which every amount
    /// condition is constant; `width_bucket` finds a transaction's cell. A household's history
    /// has a few tens of thousands of classes for a million transactions, so the ordered
    /// aggregation runs over classes, and each transaction takes its class's result by one hash
    /// join (a pass over ten years of history in seconds, not a sort of every transaction–rule
    /// pair).
    ///
    /// Text conditions are evaluated once per distinct counterparty and description, then
    /// joined back by equality: each class only meets the rules whose text conditions it
    /// passes, plus the rules with none.
    public static func select(transactions: String, accounts: String, rules: String, where filter: String) -> String {
        """
        WITH rs AS MATERIALIZED (SELECT r.*, r.counterparty IS NOT NULL AS by_cp, (r.description IS NOT NULL OR r.description_regex IS NOT NULL) AS by_d FROM \(rules) r),
             bounds AS MATERIALIZED (
                 SELECT coalesce(array_agg(DISTINCT v ORDER BY v), '{}') AS at
                 FROM rs, unnest(ARRAY[0, rs.amount_min, -rs.amount_min, rs.amount_max, -rs.amount_max]) v
                 WHERE (rs.sign IS NOT NULL OR rs.amount_min IS NOT NULL OR rs.amount_max IS NOT NULL) AND v IS NOT NULL),
             -- Cell 2k-1 is the k-th bound itself, cell 2k the gap above it (0: below the first).
             tx AS MATERIALIZED (
                 SELECT t.id, t.account_id, t.status, t.amount, lower(coalesce(t.counterparty, '')) AS cp, coalesce(t.description, '') AS d,
                        CASE WHEN k.n > 0 AND t.amount = b.at[k.n] THEN 2 * k.n - 1 ELSE 2 * k.n END AS cell
                 FROM \(transactions) t CROSS JOIN bounds b CROSS JOIN LATERAL (SELECT width_bucket(t.amount, b.at) AS n) k
                 WHERE \(filter)),
             -- Any amount of a class stands for all of it: every condition is constant on a cell.
             cls AS MATERIALIZED (
                 SELECT tx.account_id, a.provider, tx.cp, tx.d, tx.cell, min(tx.amount) AS amount
                 FROM tx JOIN \(accounts) a ON a.id = tx.account_id GROUP BY tx.account_id, a.provider, tx.cp, tx.d, tx.cell),
             cp_hits AS (SELECT c.cp, r.id, r.by_d FROM (SELECT DISTINCT cp FROM cls) c JOIN rs r ON r.by_cp AND strpos(c.cp, lower(r.counterparty)) > 0),
             d_hits AS (SELECT x.d, r.id, r.by_cp FROM (SELECT DISTINCT d FROM cls) x JOIN rs r ON r.by_d
                            AND (r.description IS NULL OR strpos(lower(x.d), lower(r.description)) > 0)
                            AND (r.description_regex IS NULL OR x.d ~* r.description_regex)),
             -- Class and rule pairs whose text conditions hold: by counterparty alone, by
             -- description alone, by both, or with none.
             pairs AS (
                 SELECT c.*, h.id AS rid FROM cls c JOIN cp_hits h ON h.cp = c.cp AND NOT h.by_d
                 UNION ALL SELECT c.*, h.id FROM cls c JOIN d_hits h ON h.d = c.d AND NOT h.by_cp
                 UNION ALL SELECT c.*, h.id FROM cls c JOIN cp_hits h ON h.cp = c.cp AND h.by_d JOIN d_hits k ON k.d = c.d AND k.id = h.id
                 UNION ALL SELECT c.*, r.id FROM cls c CROSS JOIN rs r WHERE NOT r.by_cp AND NOT r.by_d),
             -- A rule's other conditions are a flag, not a filter, so the planner estimates
             -- the classes from the grouping (tens of thousands), not from five ORs (one row),
             -- and never answers the join below with a loop over every transaction.
             matched AS (
                 SELECT p.account_id, p.cp, p.d, p.cell,
                        (array_agg(r.id ORDER BY r.position, r.id) FILTER (WHERE k.ok AND r.category_id IS NOT NULL))[1] AS rule_id,
                        (array_agg(r.category_id ORDER BY r.position, r.id) FILTER (WHERE k.ok AND r.category_id IS NOT NULL))[1] AS category_id,
                        ARRAY(SELECT DISTINCT g FROM unnest(string_to_array(string_agg(array_to_string(r.tags, chr(31)), chr(31)) FILTER (WHERE k.ok), chr(31))) g
                              WHERE g <> '' ORDER BY g) AS tags,
                        array_agg(r.id ORDER BY r.position, r.id) FILTER (WHERE k.ok) AS rule_ids
                 FROM pairs p JOIN rs r ON r.id = p.rid
                 CROSS JOIN LATERAL (SELECT (r.provider IS NULL OR r.provider = p.provider)
                                        AND (r.account_id IS NULL OR r.account_id = p.account_id)
                                        AND (r.sign IS NULL OR (r.sign = 'debit' AND p.amount < 0) OR (r.sign = 'credit' AND p.amount > 0))
                                        AND (r.amount_min IS NULL OR abs(p.amount) >= r.amount_min)
                                        AND (r.amount_max IS NULL OR abs(p.amount) <= r.amount_max) AS ok) k
                 GROUP BY p.account_id, p.cp, p.d, p.cell
                 HAVING bool_or(k.ok))
        SELECT tx.id AS transaction_id, m.rule_id, m.category_id, m.tags, tx.status = 'pending' AS pending, m.rule_ids
        FROM tx JOIN matched m ON m.account_id = tx.account_id AND m.cp = tx.cp AND m.d = tx.d AND m.cell = tx.cell
        """
    }
}
