import Postgres

/// Catalogue look-ups and DDL helpers on one session: which tables exist, their columns
/// and primary keys, and schema-name hygiene. Every identifier goes through
/// ``PostgresSession/quoteIdentifier(_:)``.
public enum SchemaCatalog {
    /// `"schema"."table"`.
    public static func qualified(_ schema: String, _ table: String) -> String {
        PostgresSession.quoteIdentifier(schema) + "." + PostgresSession.quoteIdentifier(table)
    }

    public static func tableExists(_ schema: String, _ table: String, session s: PostgresSession) throws -> Bool {
        try s.query("SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2", [.text(schema), .text(table)]).count == 1
    }

    public static func schemaExists(_ schema: String, session s: PostgresSession) throws -> Bool {
        try s.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [.text(schema)]).count == 1
    }

    /// Column names in table order.
    public static func columns(_ schema: String, _ table: String, session s: PostgresSession) throws -> [String] {
        try s.query("""
            SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
            """, [.text(schema), .text(table)]).rows.compactMap { $0.string(0) }
    }

    /// Primary-key columns in key order (empty when the table has none).
    public static func primaryKey(_ schema: String, _ table: String, session s: PostgresSession) throws -> [String] {
        try s.query("""
            SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
            WHERE n.nspname = $1 AND c.relname = $2 AND i.indisprimary ORDER BY k.ord
            """, [.text(schema), .text(table)]).rows.compactMap { $0.string(0) }
    }

    public static func rowCount(_ schema: String, _ table: String, session s: PostgresSession) throws -> Int64 {
        try s.query("SELECT count(*) FROM \(qualified(schema, table))")[0].int64(0) ?? 0
    }

    /// Makes the (empty) tables UNLOGGED: scratch state needs no WAL, so folds and restores
    /// into it write about half as much. Instant on empty tables.
    public static func setUnlogged(_ schema: String, _ tables: [String], session s: PostgresSession) throws {
        for table in tables { _ = try s.execute("ALTER TABLE \(qualified(schema, table)) SET UNLOGGED") }
    }

    /// A table's primary-key/unique constraints and other indexes, as DDL that re-creates them.
    struct Indexes: Sendable {
        struct Constraint: Sendable {
            var name: String
            /// `PRIMARY KEY` or `UNIQUE`.
            var kind: String
            /// `CREATE UNIQUE INDEX <name> ON …`: builds the index the constraint is then attached to.
            var indexDefinition: String
        }
        var schema: String
        var table: String
        var constraints: [Constraint]
        var indexes: [(name: String, definition: String)]

        /// `CREATE INDEX` statements, one per index. They take only a SHARE lock, so several
        /// can build on the same table at once, on different connections.
        var builds: [String] { constraints.map(\.indexDefinition) + indexes.map(\.definition) }

        /// Statements that turn the built unique indexes back into the table's constraints
        /// (instant: the index is adopted, not rebuilt).
        var attachments: [String] {
            constraints.map { "ALTER TABLE \(qualified(schema, table)) ADD CONSTRAINT \(PostgresSession.quoteIdentifier($0.name)) \($0.kind) USING INDEX \(PostgresSession.quoteIdentifier($0.name))" }
        }
    }

    /// Drops the table's unique/primary-key constraints and full indexes, returning what
    /// re-creates them: a bulk load then builds each index once, sorted, instead of row by
    /// row. Partial indexes stay: they take few rows during the load, and building one
    /// afterwards would cost a whole scan of the table.
    static func dropIndexes(_ schema: String, _ table: String, session s: PostgresSession) throws -> Indexes {
        let rel = PostgresParameter.text(qualified(schema, table))
        let constraints = try s.query("""
            SELECT conname, contype::text, pg_get_indexdef(conindid) FROM pg_constraint WHERE conrelid = $1::regclass AND contype IN ('p', 'u') ORDER BY conname
            """, [rel]).rows.map { Indexes.Constraint(name: try $0.decode(String.self, 0), kind: try $0.decode(String.self, 1) == "p" ? "PRIMARY KEY" : "UNIQUE", indexDefinition: try $0.decode(String.self, 2)) }
        let indexes = try s.query("""
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
            WHERE i.indrelid = $1::regclass AND i.indpred IS NULL AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1
            """, [rel]).rows.map { (name: try $0.decode(String.self, 0), definition: try $0.decode(String.self, 1)) }
        for c in constraints { _ = try s.execute("ALTER TABLE \(qualified(schema, table)) DROP CONSTRAINT \(PostgresSession.quoteIdentifier(c.name))") }
        for i in indexes { _ = try s.execute("DROP INDEX \(i.name)") }
        return Indexes(schema: schema, table: table, constraints: constraints, indexes: indexes)
    }

    /// Whether `name` is a plain lower-case identifier (letters, digits, `_`, ≤ 63 bytes)
    /// that is not a system or finsync-owned schema: the only names replay will create or drop.
    public static func isScratchName(_ name: String) -> Bool {
        let reserved: Set<String> = ["public", "analytics", "eventlog", "projections", "replay", "information_schema"]
        guard !name.isEmpty, name.utf8.count <= 63, !reserved.contains(name), !name.hasPrefix("pg_") else { return false }
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}
