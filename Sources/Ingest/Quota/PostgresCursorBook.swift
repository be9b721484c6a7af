import Foundation
import Postgres

/// Cursors in `ingest.cursors`.
public struct PostgresCursorBook: CursorBook {
    public let connection: PostgresConnection
    public init(connection: PostgresConnection) { self.connection = connection }

    public func value(provider: String, subject: String, name: String) async throws -> String? {
        try await connection.withSession { s in
            let r = try s.query("SELECT value FROM ingest.cursors WHERE provider = $1 AND subject = $2 AND name = $3", [.text(provider), .text(subject), .text(name)])
            return r.count == 1 ? r[0].string(0) : nil
        }
    }

    public func set(_ value: String, provider: String, subject: String, name: String) async throws {
        try await connection.withSession { s in
            _ = try s.query("""
                INSERT INTO ingest.cursors (provider, subject, name, value) VALUES ($1, $2, $3, $4)
                ON CONFLICT (provider, subject, name) DO UPDATE SET value = EXCLUDED.value, updated_at = clock_timestamp()
                """, [.text(provider), .text(subject), .text(name), .text(value)])
        }
    }
}
