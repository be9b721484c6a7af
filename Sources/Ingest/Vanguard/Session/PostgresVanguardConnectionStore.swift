import Foundation
import Postgres

/// The store in `ingest.vanguard_connections`.
public struct PostgresVanguardConnectionStore: VanguardConnectionStore {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    public func state(of name: String) async throws -> VanguardConnectionState? {
        try await connection.withSession { s in
            let r = try s.query("SELECT name, session_path, session_sha256, status, rejected_sha256, message FROM ingest.vanguard_connections WHERE name = $1", [.text(name)])
            guard r.count == 1 else { return nil }
            let row = r[0]
            return VanguardConnectionState(name: try row.decode(String.self, 0), sessionPath: try row.decode(String.self, 1), sessionSHA256: try row.decode(String.self, 2), status: try row.decode(String.self, 3),
                                           rejectedSHA256: row.string(4), message: row.string(5) ?? "")
        }
    }

    public func all() async throws -> [VanguardConnectionState] {
        try await connection.withSession { s in
            try s.query("SELECT name, session_path, session_sha256, status, rejected_sha256, message FROM ingest.vanguard_connections ORDER BY name").rows.map { row in
                VanguardConnectionState(name: try row.decode(String.self, 0), sessionPath: try row.decode(String.self, 1), sessionSHA256: try row.decode(String.self, 2), status: try row.decode(String.self, 3),
                                        rejectedSHA256: row.string(4), message: row.string(5) ?? "")
            }
        }
    }

    public func register(name: String, sessionPath: String, sessionSHA256: String) async throws {
        try await connection.withSession { s in
            _ = try s.query("""
                INSERT INTO ingest.vanguard_connections (name, session_path, session_sha256, status, message) VALUES ($1, $2, $3, 'active', '')
                ON CONFLICT (name) DO UPDATE SET session_path = excluded.session_path, session_sha256 = excluded.session_sha256,
                    status = 'active', message = '', updated_at = now()
                """, [.text(name), .text(sessionPath), .text(sessionSHA256)])
        }
    }

    public func markAuthRequired(name: String, sessionSHA256: String, message: String) async throws {
        try await connection.withSession { s in
            _ = try s.query("""
                INSERT INTO ingest.vanguard_connections (name, session_path, session_sha256, status, rejected_sha256, message) VALUES ($1, '', $2, 'auth_required', $2, $3)
                ON CONFLICT (name) DO UPDATE SET status = 'auth_required', rejected_sha256 = $2, message = $3, updated_at = now()
                """, [.text(name), .text(sessionSHA256), .text(message)])
        }
    }
}
