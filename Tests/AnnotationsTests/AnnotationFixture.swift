import Annotations
import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Postgres
import Projections
import Replay

/// A small GoCardless account written straight to the log, and helpers to read the
/// annotated transactions the way the API does (``AnnotatedTransactionSQL``).
enum AnnotationFixture {
    static let account = "acc-annot"

    static func item(_ id: String?, day: String, amount: String, counterparty: String, description: String, pending: Bool = false) -> JSONValue {
        var o: [String: JSONValue] = [
            "transactionAmount": ["amount": .string(amount), "currency": "GBP"], "valueDate": .string(day),
            "creditorName": .string(counterparty), "remittanceInformationUnstructured": .string(description),
        ]
        if !pending { o["bookingDate"] = .string(day) }
        if let id { o["transactionId"] = .string(id) }
        return .object(o)
    }

    /// A fresh database with its log and an annotation writer on one connection.
    static func withLog(_ body: (PostgresConnection, EventLog, AnnotationWriter) async throws -> Void) async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            defer { conn.close() }
            try await body(conn, EventLog(connection: conn), AnnotationWriter(connection: conn))
        }
    }

    static func book(_ items: [JSONValue], to log: EventLog) async throws {
        let events = items.map { NewEvent(type: EventCatalog.gocardlessTransactionBooked.latest, json: ["account_id": .string(account), "transaction": $0, "occurrence": 0]) }
        _ = try await log.append(events, to: StreamName.gocardlessAccount(account, .transactions))
    }

    static func pending(_ items: [JSONValue], to log: EventLog) async throws {
        _ = try await log.appendSnapshot(NewEvent(type: EventCatalog.gocardlessPendingObserved.latest,
                                                  json: ["account_id": .string(account), "date_from": "2024-01-01", "date_to": "2024-03-01", "pending": .array(items)]),
                                         to: StreamName.gocardlessAccount(account, .pending))
    }

    static func catchUp(_ conn: PostgresConnection, batchSize: Int = 500) async throws {
        let results = try await ProjectionRunner(connection: conn).catchUp(ProjectionCatalog.liveTargets, batchSize: batchSize)
        for r in results where r.outcome != .caughtUp { throw ReplayError(code: .foldFailed, message: "live \(r.projection): \(r.outcome) \(r.error.map { "\($0)" } ?? "")") }
    }

    /// The id of the unified transaction with provider key `key`.
    static func id(_ key: String, _ conn: PostgresConnection, schema: String = "public") async throws -> String? {
        try await conn.withSession { s in
            let r = try s.query("SELECT id::text FROM \(PostgresSession.quoteIdentifier(schema)).transactions WHERE provider_transaction_key = $1", [.text(key)])
            return r.count == 1 ? r[0].string(0) : nil
        }
    }

    struct Annotated: Equatable, CustomStringConvertible {
        var key: String, category: String?, source: String?, tags: String, note: String?
        var description: String { "\(key) \(category ?? "-") [\(source ?? "-")] {\(tags)} \(note ?? "")" }
    }

    /// Every transaction of `schema` with its effective annotations, by provider key.
    static func annotated(_ conn: PostgresConnection, schema: String = "public") async throws -> [String: Annotated] {
        try await conn.withSession { s in
            var out: [String: Annotated] = [:]
            for r in try s.query("""
                SELECT t.provider_transaction_key, ann.category, ann.category_source, array_to_string(ann.tags, ','), ann.note
                FROM \(PostgresSession.quoteIdentifier(schema)).transactions t \(AnnotatedTransactionSQL.join(schema: schema))
                """).rows {
                let key = r.string(0) ?? ""
                out[key] = Annotated(key: key, category: r.string(1), source: r.string(2), tags: r.string(3) ?? "", note: r.string(4))
            }
            return out
        }
    }

    static func eventCount(_ conn: PostgresConnection) async throws -> Int64 {
        try await EventLog(connection: conn).headPosition()
    }

    static func dump(_ conn: PostgresConnection, schema: String = "public", tables: [String]) async throws -> [String: [String]] {
        try await conn.withSession { s in
            var out: [String: [String]] = [:]
            for table in tables {
                out[table] = try s.query("SELECT t::text FROM \(SchemaCatalog.qualified(schema, table)) t ORDER BY 1").rows.map { $0.string(0) ?? "" }
            }
            return out
        }
    }
}
