import Foundation
import Postgres

/// Remembers which history lists of a connection were walked to their end at least once.
///
/// Incremental runs stop at the first stored item only for lists marked complete: items
/// come newest first, so after an interrupted first run the stored items are the newest
/// ones and stopping at them would never fetch the older pages.
public protocol Trading212HistoryProgress: Sendable {
    func isComplete(connection: String, list: String) async throws -> Bool
    func markComplete(connection: String, list: String, at: Date) async throws
}

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

/// A per-process record (dry runs, tests).
public actor InMemoryTrading212HistoryProgress: Trading212HistoryProgress {
    private var complete: Set<String> = []

    public init() {}

    public func isComplete(connection: String, list: String) async throws -> Bool { complete.contains("\(connection)/\(list)") }

    public func markComplete(connection: String, list: String, at: Date) async throws { complete.insert("\(connection)/\(list)") }
}
