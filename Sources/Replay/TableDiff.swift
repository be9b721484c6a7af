import CanonicalJSON
import Postgres

/// One column whose value differs between two states of a row (values as JSON text, nil for SQL NULL).
public struct ColumnChange: Sendable, Hashable {
    public var column: String
    public var from: String?
    public var to: String?

    public init(column: String, from: String?, to: String?) {
        self.column = column
        self.from = from
        self.to = to
    }
}

/// A row present in only one of two states, or present in both with different values.
public struct RowDifference: Sendable, Hashable {
    public enum Kind: String, Sendable { case added, removed, changed }
    public var kind: Kind
    /// Primary-key column → value, in key order.
    public var key: [ColumnChange]
    /// For `changed`: the differing columns, in table order. For `added`/`removed`: every column.
    public var columns: [ColumnChange]

    /// `col=value, …` of the key.
    public var keyText: String { key.map { "\($0.column)=\($0.to ?? $0.from ?? "NULL")" }.joined(separator: ", ") }
}

/// The differences of one table between two schemas.
public struct TableDiff: Sendable {
    public var table: String
    public var differences: [RowDifference]
    public var added: [RowDifference] { differences.filter { $0.kind == .added } }
    public var removed: [RowDifference] { differences.filter { $0.kind == .removed } }
    public var changed: [RowDifference] { differences.filter { $0.kind == .changed } }

    /// Compares `table` in schema `from` with the same table in schema `to`, matching rows on
    /// the primary key; SQL does the join and the row comparison, Swift only the columns of
    /// the rows that differ. Ordered by key.
    public static func compare(_ table: String, from: String, to: String, session s: PostgresSession) throws -> TableDiff {
        let key = try SchemaCatalog.primaryKey(to, table, session: s)
        guard !key.isEmpty else { throw ReplayError(code: .unknownTable, message: "the table has no primary key to match rows on", schema: to, table: table) }
        let columns = try SchemaCatalog.columns(to, table, session: s)
        let k = "jsonb_build_array(" + key.map { "t." + PostgresSession.quoteIdentifier($0) }.joined(separator: ", ") + ")"
        let sql = """
            SELECT a.j::text, b.j::text FROM
              (SELECT \(k) AS k, to_jsonb(t) AS j FROM \(SchemaCatalog.qualified(from, table)) t) a
              FULL JOIN (SELECT \(k) AS k, to_jsonb(t) AS j FROM \(SchemaCatalog.qualified(to, table)) t) b ON a.k = b.k
            WHERE a.j IS DISTINCT FROM b.j ORDER BY coalesce(b.k, a.k)
            """
        var out: [RowDifference] = []
        for row in try s.query(sql) {
            let a = try row.string(0).map { try JSONValue.parse($0) }
            let b = try row.string(1).map { try JSONValue.parse($0) }
            func value(_ v: JSONValue?, _ c: String) -> String? {
                guard let x = v?[c], !x.isNull else { return nil }
                return x.string ?? x.canonicalString
            }
            let keyChanges = key.map { ColumnChange(column: $0, from: value(a, $0), to: value(b, $0)) }
            if a == nil {
                out.append(RowDifference(kind: .added, key: keyChanges, columns: columns.map { ColumnChange(column: $0, from: nil, to: value(b, $0)) }))
            } else if b == nil {
                out.append(RowDifference(kind: .removed, key: keyChanges, columns: columns.map { ColumnChange(column: $0, from: value(a, $0), to: nil) }))
            } else {
                let changed = columns.filter { a?[$0] != b?[$0] }.map { ColumnChange(column: $0, from: value(a, $0), to: value(b, $0)) }
                out.append(RowDifference(kind: .changed, key: keyChanges, columns: changed))
            }
        }
        return TableDiff(table: table, differences: out)
    }
}
