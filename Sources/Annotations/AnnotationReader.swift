import Postgres
import Projections

/// Reads what only the unified projection knows about annotations: the ones whose
/// transaction no longer exists (categories and rules are read from the log, through
/// ``AnnotationWriter/categories()`` and ``AnnotationWriter/rules()``).
public struct AnnotationReader: Sendable {
    public let connection: PostgresConnection
    public let schema: String

    public init(connection: PostgresConnection, schema: String = UnifiedProjection().liveSchema) {
        self.connection = connection
        self.schema = schema
    }

    /// An annotation stream whose transaction no longer exists (kept, never dropped).
    public struct Orphan: Sendable, Hashable {
        public var targetID: String, accountID: String, transactionKey: String
        public var category: String?, note: String?, tags: [String], version: Int64
    }

    func table(_ name: String) -> String { PostgresSession.quoteIdentifier(schema) + "." + PostgresSession.quoteIdentifier(name) }

    public func orphans() async throws -> [Orphan] {
        try await connection.withSession { s in
            try s.query("""
                SELECT a.target_id::text, a.account_id::text, a.transaction_key, c.name, a.note,
                       array_to_string(ARRAY(SELECT g.tag FROM \(table("transaction_tags")) g WHERE g.target_id = a.target_id ORDER BY g.tag), chr(31)), a.version
                FROM \(table("transaction_annotations")) a LEFT JOIN \(table("categories")) c ON c.id = a.category_id
                WHERE a.transaction_id IS NULL ORDER BY a.last_position
                """).rows.map { r in
                Orphan(targetID: try r.decode(String.self, 0), accountID: try r.decode(String.self, 1), transactionKey: try r.decode(String.self, 2),
                       category: r.string(3), note: r.string(4), tags: Self.tags(r.string(5)), version: try r.decode(Int64.self, 6))
            }
        }
    }

    /// Tags joined by U+001F (which a tag cannot contain), split back.
    static func tags(_ joined: String?) -> [String] { (joined ?? "").split(separator: "\u{1F}").map(String.init) }
}
