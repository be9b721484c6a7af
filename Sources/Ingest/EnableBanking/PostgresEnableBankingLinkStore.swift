import CanonicalJSON
import Foundation
import Postgres

/// The store in `ingest.enablebanking_links` (migration `0010_enablebanking.sql`).
public struct PostgresEnableBankingLinkStore: EnableBankingLinkStore {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    public func all() async throws -> [EnableBankingLink] {
        try await connection.withSession { s in
            try s.query("""
                SELECT connection, application, aspsp_name, aspsp_country, session_id, extract(epoch FROM valid_until)::float8::text,
                       extract(epoch FROM linked_at)::float8::text, status, message, accounts::text
                FROM ingest.enablebanking_links ORDER BY connection
                """).rows.map { row in
                EnableBankingLink(connection: try row.decode(String.self, 0), application: try row.decode(String.self, 1), bankName: try row.decode(String.self, 2),
                                  bankCountry: try row.decode(String.self, 3), sessionID: try row.decode(String.self, 4),
                                  validUntil: row.string(5).flatMap(Double.init).map(Date.init(timeIntervalSince1970:)),
                                  linkedAt: Date(timeIntervalSince1970: row.string(6).flatMap(Double.init) ?? 0), status: try row.decode(String.self, 7),
                                  message: row.string(8) ?? "", accounts: EnableBankingLink.accounts(from: (try? JSONValue.parse(row.string(9) ?? "[]")) ?? .array([])))
            }
        }
    }

    public func save(_ link: EnableBankingLink) async throws {
        try await connection.withSession { s in
            _ = try s.query("""
                INSERT INTO ingest.enablebanking_links (connection, application, aspsp_name, aspsp_country, session_id, valid_until, linked_at, status, message, accounts)
                VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7::timestamptz, 'active', '', $8::jsonb)
                ON CONFLICT (connection) DO UPDATE SET application = excluded.application, aspsp_name = excluded.aspsp_name, aspsp_country = excluded.aspsp_country,
                    session_id = excluded.session_id, valid_until = excluded.valid_until, linked_at = excluded.linked_at, status = 'active', message = '',
                    accounts = excluded.accounts
                """, [.text(link.connection), .text(link.application), .text(link.bankName), .text(link.bankCountry), .text(link.sessionID),
                      PostgresParameter(link.validUntil), PostgresParameter(link.linkedAt),
                      .text(link.accountsJSON.canonicalString)])
        }
    }

    public func markForReconnection(connection name: String, message: String) async throws {
        try await connection.withSession { s in
            _ = try s.query("UPDATE ingest.enablebanking_links SET status = 'reconnect', message = $2 WHERE connection = $1", [.text(name), .text(message)])
        }
    }
}
