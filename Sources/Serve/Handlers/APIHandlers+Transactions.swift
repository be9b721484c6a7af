import Foundation
import OpenAPIRuntime
import Postgres
import Projections
import Replay

/// Transactions: keyset pages over `transactions`, and one transaction with its lineage.
extension APIHandlers {
    func listTransactions(_ input: Operations.ListTransactions.Input) async throws -> Operations.ListTransactions.Output {
        .ok(.init(body: .json(try await transactionPage(input))))
    }

    /// The page `listTransactions` answers (its ETag comes from ``ETagMiddleware``); also
    /// called directly by ``TransactionPageRoute``, which writes it without `JSONEncoder`.
    func transactionPage(_ input: Operations.ListTransactions.Input) async throws -> Components.Schemas.TransactionPage {
        let q = input.query
        var query = TransactionQuery(limit: try Parameters.limit(q.limit, default: 100))
        query.accountID = try Parameters.uuid(q.accountId, name: "account_id")
        query.status = q.status?.rawValue
        (query.bookedFrom, query.bookedTo) = try Parameters.range(from: q.bookedFrom, to: q.bookedTo, fromName: "booked_from", toName: "booked_to")
        query.amountMin = try Parameters.decimal(q.amountMin, name: "amount_min")
        query.amountMax = try Parameters.decimal(q.amountMax, name: "amount_max")
        if let min = query.amountMin, let max = query.amountMax, let lo = Decimal(string: min), let hi = Decimal(string: max), lo > hi {
            throw APIProblem.badParameter("amount_min", "amount_min (\(min)) is larger than amount_max (\(max))")
        }
        query.text = try Parameters.text(q.q, name: "q", max: 200)
        query.category = try Parameters.text(q.category, name: "category", max: 200)
        query.tag = try Parameters.text(q.tag, name: "tag", max: 200)
        query.uncategorised = q.uncategorised
        if let c = q.cursor {
            guard let cursor = TransactionCursor(encoded: c) else {
                throw APIProblem(.badCursor, status: .badRequest, title: "Invalid parameter cursor",
                                 detail: "cursor is not one this server handed out; pass next_cursor of the previous page unchanged", parameter: "cursor")
            }
            query.after = cursor
        }
        let limit = query.limit
        let (sql, params) = query.statement
        let rows = try await pool.session { s in
            try s.query(sql, params, prepare: true).rows.map { r in (try Self.transaction(r), try r.decode(String.self, 11)) }
        }
        let page = rows.prefix(limit)
        let next = rows.count > limit ? page.last.flatMap { last in UUID(uuidString: last.0.id).map { TransactionCursor(day: last.1, id: $0).encoded } } : nil
        return .init(items: page.map { $0.0 }, nextCursor: next)
    }

    func getTransaction(_ input: Operations.GetTransaction.Input) async throws -> Operations.GetTransaction.Output {
        let id = try Parameters.id(input.path.id)
        let found = try await pool.session { s in
            try s.query("""
                SELECT \(TransactionQuery.columns(of: "t")), NULL, \(TransactionQuery.annotationColumns) FROM transactions t \(AnnotatedTransactionSQL.join(schema: UnifiedProjection().liveSchema, only: "$1::uuid"))
                WHERE t.id = $1
                """, [PostgresParameter(id)], prepare: true).rows.map(Self.transaction).first
        }
        guard let found else { throw APIProblem.notFound("transaction", input.path.id) }
        // What `finsync explain transactions <id>` shows: the events whose fold wrote the row.
        let lineage = try await Explainer(connection: pool.connection).explain(table: "transactions", key: [id.uuidString.lowercased()])
        let events = lineage.events.map { e in
            Components.Schemas.LineageEvent(position: e.position, eventType: e.type, stream: e.stream, streamVersion: e.streamVersion,
                                            runId: e.run?.uuidString.lowercased(), recordedAt: e.recordedAt)
        }
        return .ok(.init(body: .json(.init(transaction: found, lineage: events))))
    }

    /// A row of ``TransactionQuery/columnList``, the sort day, then ``TransactionQuery/annotationColumns``.
    static func transaction(_ r: PostgresRow) throws -> Components.Schemas.Transaction {
        guard let status = Components.Schemas.TransactionStatus(rawValue: try r.decode(String.self, 3)) else {
            throw PostgresError(code: .decoding, message: "unknown transaction status")
        }
        return Components.Schemas.Transaction(
            id: try r.requiredUUID(0), accountId: try r.requiredUUID(1), providerTransactionKey: try r.decode(String.self, 2), status: status,
            bookingDate: r.string(4), valueDate: r.string(5), money: try r.requiredMoney(6, 7), counterparty: r.string(8), description: r.string(9),
            updatedAt: try r.decode(Date.self, 10),
            category: r.string(13), categoryId: r.string(12), categorySource: r.string(14),
            tags: (r.string(15) ?? "").split(separator: "\u{1F}").map(String.init), note: r.string(16))
    }
}
