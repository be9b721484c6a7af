import Foundation
import Postgres

/// The progress in `ingest.t212_history_state` (migration 0004).
public struct PostgresTrading212HistoryProgress: Trading212HistoryProgress {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    public func isComplete(connection name: String, list: String) async throws -> Bool {
        try await connection.withSession { s in
            try s.query("SELECT 1 FROM ingest.t212_history_state WHERE connection = $1 AND list = $2", [.text(name), .text(list)]).count == 1
        }
    }

    public func markComplete(connection name: String, list: String, at date: Date) async throws {
        try await connection.withSession { s in
            _ = try s.query("""
                INSERT INTO ingest.t212_history_state (connection, list, complete_at) VALUES ($1, $2, $3)
                ON CONFLICT (connection, list) DO UPDATE SET complete_at = excluded.complete_at
                """, [.text(name), .text(list), PostgresParameter(date)])
        }
    }
}
