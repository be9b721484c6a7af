/// The accounts statement of `GET /v1/accounts` (and `finsync bench api`'s baseline): each
/// unified account with its institution's name, in a stable order.
public enum AccountQuery {
    public static let select = """
        SELECT a.id, a.connection_id, a.provider, a.provider_account_id, a.account_type, a.name, i.name, a.currency, a.iban,
               a.balance_amount::text, a.balance_type, a.balance_date::text, a.total_value::text, a.unrealised_pnl::text, a.status, a.updated_at
        FROM accounts a LEFT JOIN connections c ON c.id = a.connection_id LEFT JOIN institutions i ON i.id = c.institution_id
        """
    public static let order = "ORDER BY a.provider, a.name NULLS LAST, a.id"
}
