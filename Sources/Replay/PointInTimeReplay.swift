import EventLog
import Foundation
import Postgres
import Projections

/// How a replay runs.
public struct ReplayOptions: Sendable {
    public var batchSize: Int = EventLog.defaultBatchSize
    /// Start from the nearest snapshot at or before the point (and take new ones while folding).
    public var useSnapshots: Bool = true
    /// When `useSnapshots`: when to take new snapshots while folding, and how many to keep
    /// (``SnapshotPolicy/none``: use existing ones, take none).
    public var snapshots = SnapshotPolicy()

    public init() {}
}

/// What a replay built.
public struct ReplayResult: Sendable {
    public var schema: String
    public var position: Int64
    public var projections: [String]
    /// The snapshot position each projection started from (0 when folded from the start).
    public var startedFrom: [String: Int64]
    public var eventsFolded: Int64
    /// Wall time in all.
    public var seconds: Double
    /// Of ``seconds``, the part spent before the tail fold: preparing the scratch schema and
    /// restoring snapshots (what a copy-free replay would save; the rest is the tail).
    public var restoreSeconds: Double
}

/// Point-in-time replay: the projections' tables as they stood at a position of the log,
/// built in a scratch schema (`replay_p<position>` by default) that plain SQL can query.
///
/// Each projection starts from its nearest snapshot at or before the point and folds the
/// tail with the same runner as the live tables, so the result equals what the live tables
/// held when their checkpoint stood at that position.
public struct PointInTimeReplay: RunnerBacked {
    /// Folds the scratch schemas: snapshots are restored table by table, and the tail
    /// folded, concurrently on its connections.
    public let runner: ProjectionRunner

    public init(runner: ProjectionRunner) { self.runner = runner }

    public static func defaultSchema(position: Int64) -> String { "replay_p\(position)" }

    /// The position a point stands for.
    public func resolve(_ point: ReplayPoint) async throws -> Int64 {
        try await connection.withSession { try point.resolve(session: $0) }
    }

    /// Builds `projections` (all when empty) as of `point` into `schema`. A scratch schema
    /// of the same name made by an earlier replay is replaced; any other existing schema is refused.
    public func replay(_ projections: [any Projection] = [], at point: ReplayPoint, into schema: String? = nil, options: ReplayOptions = ReplayOptions(),
                       onProgress: (@Sendable (FoldProgress) -> Void)? = nil) async throws -> ReplayResult {
        let chosen = projections.isEmpty ? ProjectionCatalog.all : projections
        let clock = ContinuousClock()
        let began = clock.now
        let (position, scratch) = try await connection.withSession { s -> (Int64, String) in
            let position = try point.resolve(session: s)
            let scratch = schema ?? Self.defaultSchema(position: position)
            try Self.prepareScratch(scratch, position: position, projections: chosen.map(\.name), session: s)
            return (position, scratch)
        }
        let startedFrom = try await start(chosen, at: position, in: scratch, options: options)
        let restored = clock.now
        let driver = FoldDriver(runner: runner, mode: .complete, batchSize: options.batchSize, snapshots: options.useSnapshots ? options.snapshots : .none,
                                onProgress: onProgress)
        let folded = try await driver.fold(chosen.map { ProjectionTarget($0, schema: scratch) }, upTo: position).positionsScanned
        let elapsed = began.duration(to: clock.now)
        return ReplayResult(schema: scratch, position: position, projections: chosen.map(\.name), startedFrom: startedFrom, eventsFolded: folded,
                            seconds: elapsed / .seconds(1), restoreSeconds: began.duration(to: restored) / .seconds(1))
    }

    /// Prepares the projections' tables in the scratch schema: each restored from its nearest
    /// intact snapshot at or before `position` (all at once, table by table, over every
    /// connection), else empty and UNLOGGED. A snapshot that no longer holds its rows is
    /// dropped and the next older one tried. Returns the position each starts from.
    func start(_ projections: [any Projection], at position: Int64, in schema: String, options: ReplayOptions) async throws -> [String: Int64] {
        let restorer = SnapshotRestore(pool: [connection] + workers)
        var startedFrom: [String: Int64] = [:]
        var choosing = options.useSnapshots ? projections : []
        while !choosing.isEmpty {
            try Task.checkCancellation()
            let candidates = choosing
            let plan = try await connection.withSession { s in try Self.nearestIntactSnapshots(of: candidates, atOrBefore: position, session: s) }
            guard !plan.isEmpty else { break }
            do {
                let broken = Set(try await restorer.restore(plan, into: schema).map(\.name))
                for item in plan where !broken.contains(item.projection.name) { startedFrom[item.projection.name] = item.snapshot.position }
                choosing = plan.map(\.projection).filter { broken.contains($0.name) }
            } catch let e as PostgresError where e.sqlState == "42P01" || e.sqlState == "3F000" {
                // A snapshot lost a table after it was chosen (pruned by a concurrent fold, or
                // dropped by hand): choose again; the choice passes over what is no longer intact.
                try await connection.withSession { s in
                    try s.transaction { t in
                        for table in plan.flatMap(\.projection.tables) { _ = try t.execute("DROP TABLE IF EXISTS \(SchemaCatalog.qualified(schema, table))") }
                    }
                }
            }
        }
        let fresh = projections.filter { startedFrom[$0.name] == nil }
        try await connection.withSession { s in
            for p in fresh {
                try ProjectionRunner.prepare(ProjectionTarget(p, schema: schema), session: s)
                try SchemaCatalog.setUnlogged(schema, p.tables, session: s)
            }
        }
        for p in fresh { startedFrom[p.name] = 0 }
        return startedFrom
    }

    /// Each projection's newest intact snapshot of its current version at or before
    /// `position`; ones that are not (emptied by crash recovery, missing a table) are
    /// dropped on the way.
    static func nearestIntactSnapshots(of projections: [any Projection], atOrBefore position: Int64,
                                       session s: PostgresSession) throws -> [(projection: any Projection, snapshot: ProjectionSnapshot)] {
        var plan: [(projection: any Projection, snapshot: ProjectionSnapshot)] = []
        for p in projections {
            while let snap = try SnapshotStore.nearest(p, atOrBefore: position, session: s) {
                if try SnapshotStore.isIntact(snap, of: p, session: s) { plan.append((p, snap)); break }
                try SnapshotStore.drop(snap, session: s)
            }
        }
        return plan
    }

    /// (Re)creates an empty, registered scratch schema.
    static func prepareScratch(_ schema: String, position: Int64, projections: [String], session s: PostgresSession) throws {
        guard SchemaCatalog.isScratchName(schema), !schema.hasPrefix("rebuild_"), !schema.hasPrefix("snap_"), !schema.hasPrefix("retired_") else {
            throw ReplayError(code: .invalidSchema, message: "choose a lower-case name of letters, digits and _ that is not a live, rebuild, snapshot or system schema", schema: schema)
        }
        try s.transaction { t in
            let registered = try t.query("SELECT 1 FROM replay.scratch_schemas WHERE schema_name = $1", [.text(schema)]).count == 1
            if !registered, try SchemaCatalog.schemaExists(schema, session: t) {
                throw ReplayError(code: .invalidSchema, message: "a schema of this name exists and was not made by `finsync replay`; choose another with --into", schema: schema)
            }
            _ = try t.execute("DROP SCHEMA IF EXISTS \(PostgresSession.quoteIdentifier(schema)) CASCADE; CREATE SCHEMA \(PostgresSession.quoteIdentifier(schema))")
            try TargetRecord.delete(schema: schema, session: t)
            _ = try t.query("""
                INSERT INTO replay.scratch_schemas (schema_name, position, projections) VALUES ($1, $2, $3::text[])
                ON CONFLICT (schema_name) DO UPDATE SET position = EXCLUDED.position, projections = EXCLUDED.projections, created_at = now()
                """, [.text(schema), PostgresParameter(position), .textArray(projections)])
        }
    }

    /// Drops a scratch schema made by a replay (and its checkpoints and parked events).
    public func drop(schema: String) async throws {
        try await connection.withSession { s in try Self.drop(schema: schema, session: s) }
    }

    static func drop(schema: String, session s: PostgresSession) throws {
        try s.transaction { t in
            guard try t.query("DELETE FROM replay.scratch_schemas WHERE schema_name = $1", [.text(schema)]).affectedRows == 1 else {
                throw ReplayError(code: .invalidSchema, message: "not a scratch schema made by `finsync replay`; refusing to drop it", schema: schema)
            }
            _ = try t.execute("DROP SCHEMA IF EXISTS \(PostgresSession.quoteIdentifier(schema)) CASCADE")
            try TargetRecord.delete(schema: schema, session: t)
        }
    }
}
