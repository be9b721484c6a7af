import Postgres
import Projections

/// A transaction a draft rule would change, and how.
public struct RulePreviewRow: Sendable, Hashable {
    public var transactionID: String
    public var day: String?
    public var amount: String
    public var currency: String
    public var counterparty: String?
    public var description: String?
    /// The category (name) now, and with the draft saved at the end of the list.
    public var categoryBefore: String?
    public var categoryAfter: String?
    /// Tags the draft would add.
    public var tagsAdded: [String]
}

extension AnnotationWriter {
    /// The transactions whose category or tags would change if `draft` were saved (at the
    /// end of the rule list), computed by the same ``RuleMatching`` query the fold runs;
    /// nothing is saved. A person's explicit category still wins over the draft.
    public func preview(_ draft: RuleDefinition, limit: Int = 1_000) async throws -> [RulePreviewRow] {
        let r = try await validated(draft)
        let schema = self.schema
        let t: @Sendable (String) -> String = { table in PostgresSession.quoteIdentifier(schema) + "." + PostgresSession.quoteIdentifier(table) }
        let draftRow = """
            (SELECT '00000000-0000-0000-0000-000000000000'::uuid AS id, coalesce((SELECT max(position) FROM \(t("rules"))), 0) + 1 AS position,
                    $1::text AS provider, $2::uuid AS account_id, $3::text AS counterparty, $4::text AS description, $5::text AS description_regex,
                    $6::numeric AS amount_min, $7::numeric AS amount_max, $8::text AS sign, $9::uuid AS category_id, $10::text[] AS tags)
            """
        let cols = RuleMatching.ruleColumns.joined(separator: ", ")
        let withDraft = "(SELECT \(cols) FROM \(t("rules")) UNION ALL SELECT \(cols) FROM \(draftRow) d)"
        let hits = "t.id IN (SELECT transaction_id FROM (\(RuleMatching.select(transactions: t("transactions"), accounts: t("accounts"), rules: "\(draftRow)", where: "true"))) h)"
        let sql = """
            WITH before AS (\(RuleMatching.select(transactions: t("transactions"), accounts: t("accounts"), rules: t("rules"), where: hits))),
                 after AS (\(RuleMatching.select(transactions: t("transactions"), accounts: t("accounts"), rules: withDraft, where: hits)))
            SELECT x.id::text, coalesce(x.booking_date, x.value_date)::text, x.amount::text, x.currency, x.counterparty, x.description,
                   cb.name, ca.name, array_to_string(ARRAY(SELECT g FROM unnest(a.tags) g EXCEPT SELECT g FROM unnest(coalesce(b.tags, '{}') || ann.tags) g ORDER BY 1), chr(31))
            FROM after a JOIN \(t("transactions")) x ON x.id = a.transaction_id
            LEFT JOIN before b ON b.transaction_id = a.transaction_id
            \(AnnotatedTransactionSQL.join(schema: schema, transaction: "x"))
            LEFT JOIN \(t("categories")) cb ON cb.id = ann.category_id
            LEFT JOIN \(t("categories")) ca ON ca.id = CASE WHEN ann.category_source = 'user' THEN ann.category_id ELSE a.category_id END
            WHERE (ann.category_source IS DISTINCT FROM 'user' AND a.category_id IS DISTINCT FROM b.category_id)
               OR EXISTS (SELECT g FROM unnest(a.tags) g EXCEPT SELECT g FROM unnest(coalesce(b.tags, '{}') || ann.tags) g)
            ORDER BY coalesce(x.booking_date, x.value_date) DESC NULLS LAST, x.id LIMIT $11
            """
        let params: [PostgresParameter] = [PostgresParameter(r.provider), PostgresParameter(r.accountID), PostgresParameter(r.counterparty), PostgresParameter(r.description),
                                           PostgresParameter(r.descriptionRegex), PostgresParameter(r.amountMin), PostgresParameter(r.amountMax),
                                           PostgresParameter(r.sign?.rawValue), PostgresParameter(r.categoryID), .textArray(r.tags), PostgresParameter(limit)]
        return try await connection.withSession { s in
            try s.query(sql, params).rows.map { row in
                RulePreviewRow(transactionID: try row.decode(String.self, 0), day: row.string(1), amount: try row.decode(String.self, 2), currency: try row.decode(String.self, 3),
                               counterparty: row.string(4), description: row.string(5), categoryBefore: row.string(6), categoryAfter: row.string(7),
                               tagsAdded: (row.string(8) ?? "").split(separator: "\u{1F}").map(String.init))
            }
        }
    }
}
