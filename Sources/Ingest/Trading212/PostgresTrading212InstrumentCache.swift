import CanonicalJSON
import Foundation
import Postgres

/// The cache in `ingest.t212_instrument_cache` (migration 0004): shared by every
/// connection and process using the database, and it survives restarts. Chosen over a
/// file on disk because the database is the one piece of state every finsync process
/// (sync, schedule, containers on other hosts) already shares, and needs no extra path
/// in the configuration.
public struct PostgresTrading212InstrumentCache: Trading212InstrumentCache {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    public func load(baseURL: String, notBefore: Date) async throws -> JSONValue? {
        let bytes: [UInt8]? = try await connection.withSession { s in
            let r = try s.query("SELECT body FROM ingest.t212_instrument_cache WHERE base_url = $1 AND fetched_at >= $2",
                                [.text(baseURL), PostgresParameter(notBefore)], binaryResult: true)
            return r.count == 1 ? r[0].bytes(0) : nil
        }
        return try bytes.map { try JSONValue.parse($0) }
    }

    public func store(baseURL: String, instruments: JSONValue, fetchedAt: Date) async throws {
        let body = instruments.canonicalBytes
        try await connection.withSession { s in
            _ = try s.query("""
                INSERT INTO ingest.t212_instrument_cache (base_url, fetched_at, body) VALUES ($1, $2, $3)
                ON CONFLICT (base_url) DO UPDATE SET fetched_at = excluded.fetched_at, body = excluded.body
                """, [.text(baseURL), PostgresParameter(fetchedAt), .bytes(body)])
        }
    }
}
