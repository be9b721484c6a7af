import Foundation
import Postgres

/// What was told about each connection each day, in `ingest.notifications_sent`
/// (`schemas/0009_notifications.sql`): the once-a-day rule of the connection notices. A
/// day is a UTC day (``UTCDay``).
///
/// A notice is *claimed* before it is sent — one `INSERT … ON CONFLICT DO NOTHING`, so two
/// runs (a `finsync sync` beside the service) never both send it — and *released* again
/// when no webhook took it, so a later run of the same day tries again.
public struct NoticeLedger: Sendable {
    public let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Records that `kind` is being told about the connection on `day`; false when it already was.
    public func claim(_ kind: Notice.Kind, provider: String, connectionID: String, day: String) async throws -> Bool {
        try await connection.withSession { s in
            try s.query("""
                INSERT INTO ingest.notifications_sent (kind, provider, connection_id, day) VALUES ($1, $2, $3, $4::date)
                ON CONFLICT DO NOTHING
                """, [.text(kind.rawValue), .text(provider), .text(connectionID), .text(day)]).affectedRows == 1
        }
    }

    /// Forgets a claim whose notice no webhook took.
    public func release(_ kind: Notice.Kind, provider: String, connectionID: String, day: String) async throws {
        try await connection.withSession { s in
            _ = try s.query("DELETE FROM ingest.notifications_sent WHERE kind = $1 AND provider = $2 AND connection_id = $3 AND day = $4::date",
                            [.text(kind.rawValue), .text(provider), .text(connectionID), .text(day)])
        }
    }
}
