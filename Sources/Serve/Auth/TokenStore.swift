import Crypto
import Foundation
import Postgres

/// API tokens in `api.tokens` (migration 0008): created, listed, revoked by
/// `finsync token …`, checked by the server on every request.
///
/// A token is `fst_` and 43 characters of base64url (32 random bytes). Only its SHA-256 is
/// stored, with its first 12 characters so a person can tell tokens apart: the token is
/// shown once, when created, and cannot be read back from the database.
public struct TokenStore: Sendable {
    /// A stored token (never the token itself).
    public struct Record: Sendable, Hashable {
        public var id: UUID
        public var name: String
        public var scope: TokenScope
        public var prefix: String
        public var createdAt: Date
        public var lastUsedAt: Date?
        public var revokedAt: Date?
    }

    public let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    static let tokenPrefix = "fst_"

    /// Creates a token and returns it, with its record; the token is not stored.
    public func create(name: String, scope: TokenScope) async throws -> (token: String, record: Record) {
        guard (1...64).contains(name.count), !name.contains(where: { $0.isNewline || $0 == "\u{0}" }) else { throw TokenError(code: .badName, name: name) }
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        let token = Self.tokenPrefix + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let id = UUID()
        let prefix = String(token.prefix(12))
        let hash = Self.hash(token)
        do {
            let created = try await connection.withSession { s in
                try s.query("INSERT INTO api.tokens (token_id, name, scope, token_sha256, prefix) VALUES ($1, $2, $3, $4, $5) RETURNING created_at",
                            [PostgresParameter(id), .text(name), .text(scope.rawValue), .bytes(hash), .text(prefix)])[0].date(0) ?? Date()
            }
            return (token, Record(id: id, name: name, scope: scope, prefix: prefix, createdAt: created))
        } catch let e as PostgresError where e.isUniqueViolation {
            throw TokenError(code: .nameTaken, name: name)
        }
    }

    /// Every token, newest first (revoked ones too).
    public func list() async throws -> [Record] {
        try await connection.withSession { s in
            try s.query("SELECT token_id, name, scope, prefix, created_at, last_used_at, revoked_at FROM api.tokens ORDER BY created_at DESC, name", binaryResult: true).rows.map { r in
                Record(id: try r.decode(UUID.self, 0), name: try r.decode(String.self, 1), scope: TokenScope(rawValue: try r.decode(String.self, 2)) ?? .read,
                       prefix: try r.decode(String.self, 3), createdAt: try r.decode(Date.self, 4), lastUsedAt: r.date(5), revokedAt: r.date(6))
            }
        }
    }

    /// Revokes the live token with this name (or id); throws when there is none.
    public func revoke(_ nameOrID: String) async throws {
        let id = UUID(uuidString: nameOrID)
        let n = try await connection.withSession { s in
            try s.query("UPDATE api.tokens SET revoked_at = now() WHERE revoked_at IS NULL AND (name = $1 OR token_id = $2)",
                        [.text(nameOrID), PostgresParameter(id)]).affectedRows
        }
        if n == 0 { throw TokenError(code: .notFound, name: nameOrID) }
    }

    /// The scope of a live token, or nil for an unknown or revoked one; notes its use.
    public static func verify(_ token: String, session s: PostgresSession) throws -> TokenScope? {
        guard token.hasPrefix(tokenPrefix), token.count < 128 else { return nil }
        let r = try s.query("UPDATE api.tokens SET last_used_at = now() WHERE token_sha256 = $1 AND revoked_at IS NULL RETURNING scope", [.bytes(hash(token))])
        guard r.count == 1 else { return nil }
        return r[0].string(0).flatMap(TokenScope.init(rawValue:))
    }

    /// The name of a live token (recorded as the actor of the user events it makes), or nil.
    public static func name(of token: String, session s: PostgresSession) throws -> String? {
        guard token.hasPrefix(tokenPrefix), token.count < 128 else { return nil }
        let r = try s.query("SELECT name FROM api.tokens WHERE token_sha256 = $1 AND revoked_at IS NULL", [.bytes(hash(token))])
        return r.count == 1 ? r[0].string(0) : nil
    }

    static func hash(_ token: String) -> [UInt8] { Array(SHA256.hash(data: Data(token.utf8))) }
}
