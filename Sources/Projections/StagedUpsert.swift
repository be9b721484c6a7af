import Postgres

/// Bulk upsert: rows are COPYed into a temporary staging table shaped like the target,
/// then merged with one `INSERT … SELECT … ON CONFLICT` — far cheaper than a statement
/// per row, which matters because folding is the hot path of every rebuild.
///
/// Rows must be unique on the conflict key within one call (fold by key first).
public struct StagedUpsert {
    public let table: String
    public let columns: [String]
    public let conflict: [String]
    /// Columns to overwrite on conflict (default: every non-key column).
    public let update: [String]
    /// Extra condition for the update, e.g. to keep the newer row (`EXCLUDED.x >= t.x`).
    public let updateWhere: String?
    /// Keep the stored value where the new row has NULL (for rows built from several
    /// partial observations, such as an account's metadata, details and balances).
    public let keepExistingWhenNull: Bool
    /// Columns that keep a stored non-NULL value and only fill a NULL one (a fallback source).
    public let preferExisting: Set<String>
    /// The rows are usually new (booked transactions: each is observed once). They are then
    /// COPYed straight into the table under a savepoint, and only when one of them already
    /// exists (a unique violation) is the batch merged through the staging table instead —
    /// one pass over the data instead of two, which is most of a rebuild's write cost.
    public let mostlyNew: Bool

    public init(table: String, columns: [String], conflict: [String], update: [String]? = nil, updateWhere: String? = nil, keepExistingWhenNull: Bool = false,
                preferExisting: Set<String> = [], mostlyNew: Bool = false) {
        self.preferExisting = preferExisting
        self.mostlyNew = mostlyNew
        self.table = table
        self.columns = columns
        self.conflict = conflict
        self.update = update ?? columns.filter { !conflict.contains($0) }
        self.updateWhere = updateWhere
        self.keepExistingWhenNull = keepExistingWhenNull
    }

    /// Merges `rows` (text COPY rows in `columns` order) into the table in `context.schema`.
    public func run(_ rows: CopyTextWriter, in context: ProjectionContext) throws {
        guard !rows.isEmpty else { return }
        let s = context.session
        let stage = PostgresSession.quoteIdentifier("stage_\(context.schema)_\(table)")
        let target = context.table(table)
        let cols = columns.map(PostgresSession.quoteIdentifier).joined(separator: ", ")
        if mostlyNew {
            _ = try s.execute("SAVEPOINT finsync_new_rows")
            do {
                try s.copyIn("COPY \(target) (\(cols)) FROM STDIN", text: rows)
                _ = try s.execute("RELEASE SAVEPOINT finsync_new_rows")
                return
            } catch let e as PostgresError where e.sqlState == "23505" {
                _ = try s.execute("ROLLBACK TO SAVEPOINT finsync_new_rows")
            }
        }
        _ = try s.execute("CREATE TEMP TABLE IF NOT EXISTS \(stage) (LIKE \(target) INCLUDING DEFAULTS)")
        try s.copyIn("COPY \(stage) (\(cols)) FROM STDIN", text: rows)
        var sql = "INSERT INTO \(target) AS t (\(cols)) SELECT \(cols) FROM \(stage) ON CONFLICT (\(conflict.map(PostgresSession.quoteIdentifier).joined(separator: ", "))) "
        if update.isEmpty {
            sql += "DO NOTHING"
        } else {
            sql += "DO UPDATE SET " + update.map {
                let c = PostgresSession.quoteIdentifier($0)
                if preferExisting.contains($0) { return "\(c) = coalesce(t.\(c), EXCLUDED.\(c))" }
                if $0 == "updated_at" { return "\(c) = greatest(t.\(c), EXCLUDED.\(c))" }
                return keepExistingWhenNull ? "\(c) = coalesce(EXCLUDED.\(c), t.\(c))" : "\(c) = EXCLUDED.\(c)"
            }.joined(separator: ", ")
            if let updateWhere { sql += " WHERE \(updateWhere)" }
        }
        _ = try s.execute(sql)
        _ = try s.execute("TRUNCATE \(stage)")
    }
}
