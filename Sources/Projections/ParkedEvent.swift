import Foundation
import Postgres

/// An event a projection could not apply and set aside, so that one bad observation never
/// stops the books: the projection's checkpoint moves past it in the same transaction that
/// records it here (`projections.parked_events`).
///
/// Parking is deterministic: an event is parked because of what it holds (a value its
/// projection's normaliser refuses, a payload that cannot be decoded), never because of
/// where a batch happened to start or end, so a rebuild or a replay of the same log with the
/// same code parks the same events as the live fold. After a normaliser is fixed,
/// `finsync rebuild` folds the log again and applies what it now can.
public struct ParkedEvent: Sendable, Hashable, Codable {
    public var projection: String
    public var targetSchema: String
    public var position: Int64
    public var eventType: String
    /// The ``ProjectionError/Code`` (e.g. `malformed-payload`, `undecodable`).
    public var code: String
    public var message: String

    public init(projection: String, targetSchema: String, position: Int64, eventType: String, code: String, message: String) {
        self.projection = projection
        self.targetSchema = targetSchema
        self.position = position
        self.eventType = eventType
        self.code = code
        // The message may quote provider text; PostgreSQL's text cannot hold a NUL.
        self.message = message.replacingOccurrences(of: "\u{0}", with: "\\u0000")
    }

    /// The event parked for `target` because of `error`.
    init(_ error: ProjectionError, target: ProjectionTarget, position: Int64, eventType: String) {
        self.init(projection: target.projection.name, targetSchema: target.schema, position: position, eventType: eventType,
                  code: error.code.description, message: error.message)
    }

    /// Records `events` (in the caller's transaction). Already-recorded ones are left as they are.
    static func record(_ events: [ParkedEvent], session s: PostgresSession) throws {
        guard !events.isEmpty else { return }
        _ = try s.query("""
            INSERT INTO projections.parked_events (projection, target_schema, position, event_type, code, message)
            SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[])
            ON CONFLICT DO NOTHING
            """, [.textArray(events.map(\.projection)), .textArray(events.map(\.targetSchema)), .textArray(events.map { String($0.position) }),
                  .textArray(events.map(\.eventType)), .textArray(events.map(\.code)), .textArray(events.map(\.message))])
    }

    /// The events parked for a target (or for every target of the projection when `schema`
    /// is nil), in position order.
    public static func list(projection: String? = nil, schema: String? = nil, session s: PostgresSession) throws -> [ParkedEvent] {
        let r = try s.query("""
            SELECT projection, target_schema, position, event_type, code, message FROM projections.parked_events
            WHERE ($1::text IS NULL OR projection = $1) AND ($2::text IS NULL OR target_schema = $2)
            ORDER BY projection, target_schema, position
            """, [PostgresParameter(projection), PostgresParameter(schema)])
        return try r.rows.map { row in
            guard let p = row.string(0), let t = row.string(1), let pos = row.int64(2), let type = row.string(3), let code = row.string(4), let m = row.string(5) else {
                throw ProjectionError(code: .malformedPayload, message: "projections.parked_events holds a row with a NULL column")
            }
            return ParkedEvent(projection: p, targetSchema: t, position: pos, eventType: type, code: code, message: m)
        }
    }
}
