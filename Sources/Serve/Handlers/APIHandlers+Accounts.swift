import Foundation
import OpenAPIRuntime
import Postgres

/// Institutions, accounts and holdings: the `unified` projection's tables as they are.
extension APIHandlers {
    func listInstitutions(_ input: Operations.ListInstitutions.Input) async throws -> Operations.ListInstitutions.Output {
        let items = try await pool.session { s in
            try s.query("SELECT id, provider, provider_institution_id, name, bic, logo_url, array_to_json(countries)::text FROM institutions ORDER BY provider, name NULLS LAST, id")
                .rows.map { r in
                    Components.Schemas.Institution(id: try r.requiredUUID(0), provider: try r.decode(String.self, 1), providerInstitutionId: try r.decode(String.self, 2),
                                                   name: r.string(3), bic: r.string(4), logoUrl: r.string(5),
                                                   countries: r.string(6).flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) })
                }
        }
        return .ok(.init(body: .json(.init(items: items))))
    }

    func listAccounts(_ input: Operations.ListAccounts.Input) async throws -> Operations.ListAccounts.Output {
        var f = Filters()
        if let t = input.query._type { f.add("a.account_type = $?", .text(t.rawValue)) }
        if let p = try Parameters.text(input.query.provider, name: "provider", max: 64) { f.add("a.provider = $?", .text(p)) }
        if let c = try Parameters.uuid(input.query.connectionId, name: "connection_id") { f.add("a.connection_id = $?", PostgresParameter(c)) }
        let sql = "\(AccountQuery.select) \(f.whereClause) \(AccountQuery.order)"
        let params = f.parameters
        let items = try await pool.session { s in try s.query(sql, params, prepare: true).rows.map(Self.account) }
        return .ok(.init(body: .json(.init(items: items))))
    }

    func getAccount(_ input: Operations.GetAccount.Input) async throws -> Operations.GetAccount.Output {
        let id = try Parameters.id(input.path.id)
        let found = try await pool.session { s in try s.query("\(AccountQuery.select) WHERE a.id = $1", [PostgresParameter(id)], prepare: true).rows.map(Self.account).first }
        guard let found else { throw APIProblem.notFound("account", input.path.id) }
        return .ok(.init(body: .json(found)))
    }

    func listHoldings(_ input: Operations.ListHoldings.Input) async throws -> Operations.ListHoldings.Output {
        var f = Filters()
        if let a = try Parameters.uuid(input.query.accountId, name: "account_id") { f.add("h.account_id = $?", PostgresParameter(a)) }
        let sql = """
            SELECT h.id, h.account_id, h.ticker, h.name, h.isin, h.quantity::text, h.average_cost::text, h.current_price::text, h.currency,
                   h.current_value::text, h.unrealised_pnl::text, a.currency, h.updated_at, h.price_date::text
            FROM holdings h LEFT JOIN accounts a ON a.id = h.account_id \(f.whereClause) ORDER BY h.account_id, h.ticker NULLS LAST, h.id
            """
        let params = f.parameters
        let items = try await pool.session { s in
            try s.query(sql, params, prepare: true).rows.map { r in
                // Prices are in the instrument's currency (`holdings.currency`); values and P/L in the account's.
                Components.Schemas.Holding(id: try r.requiredUUID(0), accountId: try r.requiredUUID(1), ticker: r.string(2), name: r.string(3), isin: r.string(4),
                                           quantity: try r.decode(String.self, 5), averageCost: r.money(6, 8), currentPrice: r.money(7, 8),
                                           currentValue: r.money(9, 11), unrealisedPnl: r.money(10, 11), priceDate: r.string(13),
                                           updatedAt: try r.decode(Date.self, 12))
            }
        }
        return .ok(.init(body: .json(.init(items: items))))
    }

    static func account(_ r: PostgresRow) throws -> Components.Schemas.Account {
        guard let type = Components.Schemas.AccountType(rawValue: try r.decode(String.self, 4)) else {
            throw PostgresError(code: .decoding, message: "unknown account type")
        }
        return Components.Schemas.Account(
            id: try r.requiredUUID(0), connectionId: r.optionalUUID(1), provider: try r.decode(String.self, 2), providerAccountId: try r.decode(String.self, 3),
            _type: type, name: r.string(5), institutionName: r.string(6), currency: r.string(7), iban: r.string(8),
            balance: r.money(9, 7).map { Components.Schemas.Balance(money: $0, _type: r.string(10), date: r.string(11)) },
            totalValue: r.money(12, 7), unrealisedPnl: r.money(13, 7), status: r.string(14), updatedAt: try r.decode(Date.self, 15))
    }
}
