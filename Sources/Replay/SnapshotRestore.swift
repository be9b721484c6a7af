import Postgres
import Projections
import Synchronization

/// Restores several projections' snapshots into one scratch schema at once. Work is spread
/// by table rather than by projection: every table is copied, then every index built, as
/// separate jobs pulled (largest first) by one task per connection. One projection usually
/// holds most of the rows (`gc_transactions`), so per-projection restores left the other
/// connections idle while it finished.
///
/// The steps commit separately; that is safe because a scratch schema is only usable once
/// its checkpoints are written, which happens last, and an interrupted replay's schema is
/// dropped and re-created by the next replay into it.
struct SnapshotRestore: Sendable {
    var pool: [PostgresConnection]

    /// One table to fill: from which snapshot table, its size, and what re-creates its indexes.
    private struct TableJob: Sendable {
        var projection: Int
        var indexes: SchemaCatalog.Indexes
        var source: String
        var bytes: Int64
    }

    /// Restores each `(projection, snapshot)` into `schema`; returns the projections whose
    /// snapshot no longer held the rows it was taken with (their snapshot is dropped, their
    /// tables are left empty without checkpoint, for the caller to start another way).
    func restore(_ plan: [(projection: any Projection, snapshot: ProjectionSnapshot)], into schema: String) async throws -> [any Projection] {
        guard let main = pool.first, !plan.isEmpty else { return [] }
        // 1. Empty, unlogged tables without indexes; what re-creates the indexes; table sizes.
        let prepared = try await main.withSession { s in
            try s.transaction { t -> [TableJob] in
                _ = try t.execute("CREATE SCHEMA IF NOT EXISTS \(PostgresSession.quoteIdentifier(schema))")
                var out: [TableJob] = []
                for (i, item) in plan.enumerated() {
                    try item.projection.createTables(in: ProjectionContext(session: t, schema: schema))
                    try SchemaCatalog.setUnlogged(schema, item.projection.tables, session: t)
                    for table in item.projection.tables {
                        _ = try t.execute("TRUNCATE \(SchemaCatalog.qualified(schema, table))")
                        let source = SchemaCatalog.qualified(item.snapshot.schema, table)
                        let bytes = try t.query("SELECT pg_total_relation_size($1::regclass)", [.text(source)])[0].int64(0) ?? 0
                        out.append(TableJob(projection: i, indexes: try SchemaCatalog.dropIndexes(schema, table, session: t), source: source, bytes: bytes))
                    }
                }
                return out
            }
        }
        // 2. Copy every table.
        let copies = prepared.sorted { $0.bytes > $1.bytes }.map { job in
            (job.projection, "INSERT INTO \(SchemaCatalog.qualified(schema, job.indexes.table)) SELECT * FROM \(job.source)")
        }
        let copied = try await run(copies)
        var rows = [Int64](repeating: 0, count: plan.count)
        for (projection, affected) in copied { rows[projection] += affected }
        let intact = Set(plan.indices.filter { rows[$0] == plan[$0].snapshot.rowCount })
        // 3. Build every index of the intact ones, then attach constraints and set checkpoints.
        let builds = prepared.filter { intact.contains($0.projection) }.sorted { $0.bytes > $1.bytes }
            .flatMap { job in job.indexes.builds.map { (job.projection, $0) } }
        // Each build sorts in memory and on its own connection: the jobs already keep every
        // core busy, and parallel workers would split the default 64 MB between them,
        // spilling the sort of an 850k-row text key to disk.
        _ = try await run(builds, settings: ["maintenance_work_mem = '256MB'", "max_parallel_maintenance_workers = 0"])
        let broken = plan.indices.filter { !intact.contains($0) }
        try await main.withSession { s in
            try s.transaction { t in
                for job in prepared where intact.contains(job.projection) {
                    for statement in job.indexes.attachments { _ = try t.execute(statement) }
                }
                for i in intact.sorted() {
                    _ = try t.query("""
                        INSERT INTO projections.checkpoints (projection, target_schema, version, position) VALUES ($1, $2, $3, $4)
                        ON CONFLICT (projection, target_schema) DO UPDATE SET version = EXCLUDED.version, position = EXCLUDED.position, updated_at = now(),
                            last_error = NULL, error_position = NULL, error_event_type = NULL
                        """, [.text(plan[i].projection.name), .text(schema), PostgresParameter(plan[i].projection.version), PostgresParameter(plan[i].snapshot.position)])
                }
                for i in broken {
                    for table in plan[i].projection.tables { _ = try t.execute("DROP TABLE IF EXISTS \(SchemaCatalog.qualified(schema, table))") }
                    try SnapshotStore.drop(plan[i].snapshot, session: t)
                }
            }
        }
        return broken.map { plan[$0].projection }
    }

    /// Runs each `(tag, statement)` once, one task per connection pulling the next job, with
    /// `settings` in force on each connection meanwhile; returns `(tag, affected rows)` per job.
    private func run(_ jobs: [(Int, String)], settings: [String] = []) async throws -> [(Int, Int64)] {
        let next = JobCounter()
        return try await withThrowingTaskGroup(of: [(Int, Int64)].self) { group in
            for conn in pool.prefix(max(1, min(pool.count, jobs.count))) {
                group.addTask {
                    try await conn.withSession { s in
                        for setting in settings { _ = try s.execute("SET \(setting)") }
                        defer { for setting in settings { _ = try? s.execute("RESET \(setting.prefix { $0 != " " })") } }
                        var done: [(Int, Int64)] = []
                        while true {
                            let i = next.take()
                            guard i < jobs.count else { return done }
                            done.append((jobs[i].0, Int64(try s.execute(jobs[i].1).affectedRows)))
                        }
                    }
                }
            }
            var out: [(Int, Int64)] = []
            for try await part in group { out += part }
            return out
        }
    }
}

/// Hands out job indices to the tasks of ``SnapshotRestore``.
private final class JobCounter: Sendable {
    private let next = Atomic<Int>(0)
    func take() -> Int { next.wrappingAdd(1, ordering: .relaxed).oldValue }
}
