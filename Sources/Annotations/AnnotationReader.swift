import CanonicalJSON
import Postgres
import Projections

/// Reads the annotation tables the unified projection keeps (categories, rules, orphaned
/// annotations) for the CLI and the API.
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

    public struct Category: Sendable, Hashable {
        public var id: String, name: String, mergedInto: String?
    }

    public struct Rule: Sendable, Hashable {
        public var id: String, position: Int, rule: RuleDefinition, category: String?
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

    /// Every category (merged ones name what they were merged into), by name.
    public func categories() async throws -> [Category] {
        try await connection.withSession { s in
            try s.query("SELECT id::text, name, merged_into::text FROM \(table("categories")) ORDER BY merged_into IS NOT NULL, lower(name), id").rows.map { r in
                Category(id: try r.decode(String.self, 0), name: try r.decode(String.self, 1), mergedInto: r.string(2))
            }
        }
    }

    /// The rules in list order.
    public func rules() async throws -> [Rule] {
        try await connection.withSession { s in
            try s.query("""
                SELECT r.id::text, r.position, r.definition::text, c.name FROM \(table("rules")) r LEFT JOIN \(table("categories")) c ON c.id = r.category_id
                ORDER BY r.position, r.id
                """).rows.map { r in
                let definition = try RuleDefinition(json: try JSONValue.parse(Array(try r.decode(String.self, 2).utf8)))
                return Rule(id: try r.decode(String.self, 0), position: try r.decode(Int.self, 1), rule: definition, category: r.string(3))
            }
        }
    }

    /// Tags joined by U+001F (which a tag cannot contain), split back.
    static func tags(_ joined: String?) -> [String] { (joined ?? "").split(separator: "\u{1F}").map(String.init) }
}
