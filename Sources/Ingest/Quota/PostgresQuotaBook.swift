import Foundation
import Postgres

/// Quotas in `ingest.quotas`.
public struct PostgresQuotaBook: QuotaBook {
    public let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    public func status(provider: String, subject: String, scope: String) async throws -> QuotaStatus? {
        try await connection.withSession { s in
            let r = try s.query("SELECT quota_limit, remaining, next_allowed_at, last_success_at FROM ingest.quotas WHERE provider = $1 AND subject = $2 AND scope = $3",
                                [.text(provider), .text(subject), .text(scope)], binaryResult: true)
            guard r.count == 1 else { return nil }
            let row = r[0]
            return QuotaStatus(provider: provider, subject: subject, scope: scope, limit: row.int(0), remaining: row.int(1), nextAllowedAt: row.date(2), lastSuccessAt: row.date(3))
        }
    }

    public func record(_ q: QuotaStatus) async throws {
        try await connection.withSession { s in
            _ = try s.query("""
                INSERT INTO ingest.quotas (provider, subject, scope, quota_limit, remaining, next_allowed_at, last_success_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, clock_timestamp())
                ON CONFLICT (provider, subject, scope) DO UPDATE SET quota_limit = EXCLUDED.quota_limit, remaining = EXCLUDED.remaining,
                    next_allowed_at = EXCLUDED.next_allowed_at, last_success_at = EXCLUDED.last_success_at, updated_at = EXCLUDED.updated_at
                """, [.text(q.provider), .text(q.subject), .text(q.scope), PostgresParameter(q.limit.map(Int64.init)), PostgresParameter(q.remaining.map(Int64.init)),
                      PostgresParameter(q.nextAllowedAt), PostgresParameter(q.lastSuccessAt)])
        }
    }

    /// Every stored quota (for `finsync connections` and reports).
    public func all(provider: String? = nil) async throws -> [QuotaStatus] {
        try await connection.withSession { s in
            let r = try s.query("SELECT provider, subject, scope, quota_limit, remaining, next_allowed_at, last_success_at FROM ingest.quotas WHERE $1::text IS NULL OR provider = $1 ORDER BY 1, 2, 3",
                                [PostgresParameter(provider)], binaryResult: true)
            return try r.rows.map { QuotaStatus(provider: try $0.decode(String.self, 0), subject: try $0.decode(String.self, 1), scope: try $0.decode(String.self, 2), limit: $0.int(3), remaining: $0.int(4), nextAllowedAt: $0.date(5), lastSuccessAt: $0.date(6)) }
        }
    }
}
