import EventLog
import Postgres
import Projections

/// A saved copy of one projection's tables as of a position: the tables, under their own
/// names, in schema ``schema``. Built by code `version`; only used by the same version.
public struct ProjectionSnapshot: Sendable, Hashable {
    public var projection: String
    public var version: Int
    public var position: Int64
    public var schema: String
    public var rowCount: Int64
}

/// Snapshots of projection state, taken every N events while a rebuild or a replay folds,
/// so a replay to position P restores the nearest snapshot at or before P and folds only
/// the tail. An optimisation only: restoring a snapshot and folding on gives exactly the
/// rows a fold from position 0 gives (the fold is deterministic and the snapshot is taken
/// in the same transaction that reads the checkpoint it is tagged with).
public enum SnapshotStore {
    /// `snap_<projection>_v<version>_p<position>`.
    public static func schemaName(_ projection: any Projection, position: Int64) -> String {
        "snap_\(projection.name)_v\(projection.version)_p\(position)"
    }

    /// Copies the projection's tables in `schema` into a new snapshot tagged `position`.
    /// The target's checkpoint must stand exactly at `position`. Returns nil when an intact
    /// snapshot of that projection, version and position already exists (taking it again
    /// would give the same rows); one emptied by crash recovery is replaced.
    ///
    /// Without `established`, the checkpoint row is locked (FOR SHARE) for the copy, so no
    /// runner can commit past it meanwhile. With it, the copy runs in one REPEATABLE READ
    /// transaction whose first statement reads the checkpoint, and `established` is called
    /// right after: from then on the copy sees the tables as they stood at `position`
    /// whatever is committed later, so the caller may go on folding while it runs. (It is
    /// not called if that first statement fails.) When another process takes the same
    /// snapshot at the same moment, one of the two returns nil and changes nothing.
    @discardableResult
    public static func take(_ projection: any Projection, from schema: String, at position: Int64, session s: PostgresSession,
                            established: (() -> Void)? = nil) throws -> ProjectionSnapshot? {
        do {
            return try copy(projection, from: schema, at: position, session: s, established: established)
        } catch let e as PostgresError where e.sqlState == "23505" || e.sqlState == "42P06" {
            return nil  // taken meanwhile by another runner (same row or schema); rolled back
        }
    }

    /// ``take(_:from:at:session:established:)``, then ``prune(_:policy:reaching:session:)``:
    /// what every fold does when it passes a snapshot position.
    public static func take(_ projection: any Projection, from schema: String, at position: Int64, keeping policy: SnapshotPolicy, reaching reach: Int64,
                            session s: PostgresSession, established: (() -> Void)? = nil) throws {
        _ = try take(projection, from: schema, at: position, session: s, established: established)
        try prune(projection, policy: policy, reaching: reach, session: s)
    }

    /// The position a snapshot policy's interval is reckoned from: `position`, or the newest
    /// snapshot of any of `projections` (current versions) if that is further.
    public static func reach(of projections: [any Projection], from position: Int64, session s: PostgresSession) throws -> Int64 {
        try projections.reduce(position) { max($0, try newest($1, session: s) ?? 0) }
    }

    private static func copy(_ projection: any Projection, from schema: String, at position: Int64, session s: PostgresSession,
                             established: (() -> Void)?) throws -> ProjectionSnapshot? {
        try s.transaction(isolation: established == nil ? nil : "REPEATABLE READ") { t in
            let cp = try t.query("SELECT position, version FROM projections.checkpoints WHERE projection = $1 AND target_schema = $2" + (established == nil ? " FOR SHARE" : ""),
                                 [.text(projection.name), .text(schema)])
            established?()
            guard cp.count == 1, cp[0].int64(0) == position, cp[0].int(1) == projection.version else {
                throw ReplayError(code: .invalidSchema, message: "cannot snapshot at \(position): the checkpoint stands at \(cp.count == 1 ? String(try cp[0].decode(Int64.self, 0)) : "nothing")",
                                  projection: projection.name, schema: schema)
            }
            let existing = try t.query("SELECT schema_name, row_count FROM replay.snapshots WHERE projection = $1 AND version = $2 AND position = $3",
                                       [.text(projection.name), PostgresParameter(projection.version), PostgresParameter(position)])
            if existing.count == 1 {
                let old = ProjectionSnapshot(projection: projection.name, version: projection.version, position: position,
                                             schema: try existing[0].decode(String.self, 0), rowCount: try existing[0].decode(Int64.self, 1))
                if try isIntact(old, of: projection, session: t) { return nil }
                try drop(old, session: t)
            }
            let snap = schemaName(projection, position: position)
            _ = try t.execute("DROP SCHEMA IF EXISTS \(PostgresSession.quoteIdentifier(snap)) CASCADE; CREATE SCHEMA \(PostgresSession.quoteIdentifier(snap))")
            var rows: Int64 = 0
            for table in projection.tables {
                // No indexes (a snapshot is only ever read whole) and no WAL: after a crash
                // PostgreSQL empties unlogged tables, which `restore` detects by the row count.
                // No autovacuum either: a snapshot is never changed and only ever read whole,
                // so vacuuming and analysing its gigabytes would be background I/O for nothing.
                let r = try t.execute("""
                    CREATE UNLOGGED TABLE \(SchemaCatalog.qualified(snap, table)) WITH (autovacuum_enabled = false)
                    AS SELECT * FROM \(SchemaCatalog.qualified(schema, table))
                    """)
                rows += Int64(r.affectedRows)
            }
            // The events parked up to here travel with the snapshot (see `restoreParked`).
            _ = try t.query("""
                INSERT INTO replay.snapshots (projection, version, position, schema_name, row_count, parked)
                VALUES ($1, $2, $3, $4, $5, (
                    SELECT coalesce(jsonb_agg(jsonb_build_object('position', position, 'event_type', event_type, 'code', code, 'message', message) ORDER BY position), '[]')
                    FROM projections.parked_events WHERE projection = $1 AND target_schema = $6 AND position <= $3))
                """, [.text(projection.name), PostgresParameter(projection.version), PostgresParameter(position), .text(snap), PostgresParameter(rows), .text(schema)])
            return ProjectionSnapshot(projection: projection.name, version: projection.version, position: position, schema: snap, rowCount: rows)
        }
    }

    /// Records, for the target `schema` restored from `snapshot`, the events its projection
    /// had parked up to the snapshot's position, so the target lists what a fold from 0 would.
    static func restoreParked(_ snapshot: ProjectionSnapshot, into schema: String, session s: PostgresSession) throws {
        _ = try s.query("DELETE FROM projections.parked_events WHERE projection = $1 AND target_schema = $2", [.text(snapshot.projection), .text(schema)])
        _ = try s.query("""
            INSERT INTO projections.parked_events (projection, target_schema, position, event_type, code, message)
            SELECT $1, $2, (p->>'position')::bigint, p->>'event_type', p->>'code', p->>'message'
            FROM replay.snapshots, jsonb_array_elements(parked) p WHERE schema_name = $3
            """, [.text(snapshot.projection), .text(schema), .text(snapshot.schema)])
    }

    /// Whether the snapshot can still be restored: every table of `projection` is there and,
    /// unless it was taken empty, they have pages. PostgreSQL empties unlogged tables in
    /// crash recovery, and a table may have been dropped by hand; this tells without reading
    /// the rows. A restore still counts the rows it copies.
    public static func isIntact(_ snapshot: ProjectionSnapshot, of projection: any Projection, session s: PostgresSession) throws -> Bool {
        let r = try s.query("""
            SELECT count(*), coalesce(sum(pg_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname = ANY($2::text[])
            """, [.text(snapshot.schema), .textArray(projection.tables)])
        guard r[0].int64(0) == Int64(projection.tables.count) else { return false }
        return snapshot.rowCount == 0 || (r[0].int64(1) ?? 0) > 0
    }

    /// The newest snapshot of the projection's current version at or before `position`.
    public static func nearest(_ projection: any Projection, atOrBefore position: Int64, session s: PostgresSession) throws -> ProjectionSnapshot? {
        let r = try s.query("""
            SELECT position, schema_name, row_count FROM replay.snapshots WHERE projection = $1 AND version = $2 AND position <= $3
            ORDER BY position DESC LIMIT 1
            """, [.text(projection.name), PostgresParameter(projection.version), PostgresParameter(position)])
        guard r.count == 1 else { return nil }
        return ProjectionSnapshot(projection: projection.name, version: projection.version, position: try r[0].decode(Int64.self, 0), schema: try r[0].decode(String.self, 1), rowCount: try r[0].decode(Int64.self, 2))
    }

    /// The position of the projection's newest snapshot of its current version.
    public static func newest(_ projection: any Projection, session s: PostgresSession) throws -> Int64? {
        try s.query("SELECT max(position) FROM replay.snapshots WHERE projection = $1 AND version = $2",
                    [.text(projection.name), PostgresParameter(projection.version)])[0].int64(0)
    }

    /// Drops the projection's snapshots that `policy` no longer keeps once the log reaches
    /// `reach` (or its newest snapshot, if further), and every snapshot taken by another
    /// version of its code (a replay never uses those). Returns what it dropped.
    @discardableResult
    public static func prune(_ projection: any Projection, policy: SnapshotPolicy, reaching reach: Int64, session s: PostgresSession) throws -> [ProjectionSnapshot] {
        let all = try list(session: s).filter { $0.projection == projection.name }
        let reach = max(reach, all.filter { $0.version == projection.version }.map(\.position).max() ?? 0)
        let dropped = all.filter { $0.version != projection.version || !policy.keeps($0.position, reaching: reach) }
        for snap in dropped { try drop(snap, session: s) }
        return dropped
    }

    /// Bytes on disk of each snapshot (tables and their TOAST), keyed by schema name.
    public static func storageBytes(session s: PostgresSession) throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        for row in try s.query("""
            SELECT sn.schema_name, coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM replay.snapshots sn
            LEFT JOIN pg_namespace n ON n.nspname = sn.schema_name LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind = 'r'
            GROUP BY sn.schema_name
            """) { out[try row.decode(String.self, 0)] = row.int64(1) ?? 0 }
        return out
    }

    /// Every snapshot, oldest first.
    public static func list(session s: PostgresSession) throws -> [ProjectionSnapshot] {
        try s.query("SELECT projection, version, position, schema_name, row_count FROM replay.snapshots ORDER BY projection, version, position").rows.map {
            ProjectionSnapshot(projection: try $0.decode(String.self, 0), version: try $0.decode(Int.self, 1), position: try $0.decode(Int64.self, 2), schema: try $0.decode(String.self, 3), rowCount: try $0.decode(Int64.self, 4))
        }
    }

    /// Drops one snapshot.
    public static func drop(_ snapshot: ProjectionSnapshot, session s: PostgresSession) throws {
        try s.transaction { t in
            _ = try t.query("DELETE FROM replay.snapshots WHERE schema_name = $1", [.text(snapshot.schema)])
            _ = try t.execute("DROP SCHEMA IF EXISTS \(PostgresSession.quoteIdentifier(snapshot.schema)) CASCADE")
        }
    }

    /// Drops every snapshot of `projection` (all versions), or all snapshots when nil.
    public static func drop(projection: String? = nil, session s: PostgresSession) throws {
        try s.transaction { t in
            let r = try t.query("DELETE FROM replay.snapshots WHERE $1::text IS NULL OR projection = $1 RETURNING schema_name", [PostgresParameter(projection)])
            for row in r { _ = try t.execute("DROP SCHEMA IF EXISTS \(PostgresSession.quoteIdentifier(try row.decode(String.self, 0))) CASCADE") }
        }
    }
}
