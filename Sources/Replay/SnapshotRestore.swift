import Postgres
import Projections

/// Restores several projections' snapshots into one scratch schema at once. Work is spread
/// by table rather than by projection: every table's copy, and then each of its index builds,
/// is a job pulled by one task per connection (copies largest first, a copied table's builds
/// ahead of the copies still waiting). One projection usually holds most of the rows
/// (`gc_transactions`), so per-projection restores, or all copies before any build, left
/// connections idle while its copy finished.
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
        // 2. Copy every table (largest first); each table's indexes are built as soon as it
        // is copied, ahead of the copies still waiting, so no connection idles while the
        // largest copy finishes. Each build sorts in memory: the jobs already keep every core
        // busy, and parallel workers would split the default 64 MB between them, spilling
        // the sort of an 850k-row text key to disk.
        let copies = prepared.indices.sorted { prepared[$0].bytes > prepared[$1].bytes }.map { i in
            RestoreQueue.Job(table: i, statement: "INSERT INTO \(SchemaCatalog.qualified(schema, prepared[i].indexes.table)) SELECT * FROM \(prepared[i].source)")
        }
        let copied = try await run(RestoreQueue(copies: copies) { job in prepared[job.table].indexes.builds.map { RestoreQueue.Job(table: job.table, statement: $0) } },
                                   settings: ["maintenance_work_mem = '256MB'", "max_parallel_maintenance_workers = 0"])
        var rows = [Int64](repeating: 0, count: plan.count)
        for (table, affected) in copied { rows[prepared[table].projection] += affected }
        // 3. A projection whose copies hold fewer rows than its snapshot recorded is broken
        // (its snapshot is dropped, its tables too); the others get their constraints and checkpoints.
        let intact = Set(plan.indices.filter { rows[$0] == plan[$0].snapshot.rowCount })
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
                    try SnapshotStore.restoreParked(plan[i].snapshot, into: schema, session: t)
                }
                for i in broken {
                    for table in plan[i].projection.tables { _ = try t.execute("DROP TABLE IF EXISTS \(SchemaCatalog.qualified(schema, table))") }
                    try SnapshotStore.drop(plan[i].snapshot, session: t)
                }
            }
        }
        return broken.map { plan[$0].projection }
    }

    /// Runs the queue's jobs, one task per connection pulling the next one, with `settings`
    /// in force on each connection meanwhile; returns `(table, affected rows)` per copy.
    private func run(_ queue: RestoreQueue, settings: [String]) async throws -> [(Int, Int64)] {
        try await withThrowingTaskGroup(of: [(Int, Int64)].self) { group in
            for conn in pool.prefix(max(1, min(pool.count, queue.initialCount))) {
                group.addTask {
                    let resets = settings.map { "RESET \($0.prefix { $0 != " " })" }
                    do {
                        try await conn.withSession { s in for setting in settings { _ = try s.execute("SET \(setting)") } }
                        var copied: [(Int, Int64)] = []
                        while let job = await queue.next() {
                            let affected = try await conn.withSession { s in Int64(try s.execute(job.statement).affectedRows) }
                            if job.isCopy {
                                copied.append((job.table, affected))
                                await queue.copied(job)
                            }
                        }
                        try await conn.withSession { s in for reset in resets { _ = try s.execute(reset) } }
                        return copied
                    } catch {
                        await queue.fail()  // wake the tasks waiting for index builds that will not come
                        _ = try? await conn.withSession { s in for reset in resets { _ = try s.execute(reset) } }
                        throw error
                    }
                }
            }
            var out: [(Int, Int64)] = []
            for try await part in group { out += part }
            return out
        }
    }
}

/// The jobs of a ``SnapshotRestore``: every table's copy, largest first, and once a copy is
/// done that table's index builds, handed out ahead of the copies still waiting. A task
/// that finds no job while copies are still running waits for their index builds.
actor RestoreQueue {
    struct Job: Sendable {
        var table: Int
        var statement: String
        var isCopy = false
    }

    private var waiting: [Job]  // next job last
    private var copiesLeft: Int
    private var sleepers: [CheckedContinuation<Job?, Never>] = []
    private var failed = false
    private let builds: @Sendable (Job) -> [Job]
    nonisolated let initialCount: Int

    init(copies: [Job], builds: @escaping @Sendable (Job) -> [Job]) {
        waiting = copies.reversed().map { var j = $0; j.isCopy = true; return j }
        copiesLeft = copies.count
        initialCount = copies.count
        self.builds = builds
    }

    /// The next job, or nil once every copy is done and every build handed out (or a job failed).
    func next() async -> Job? {
        if failed { return nil }
        if let job = waiting.popLast() { return job }
        if copiesLeft == 0 { return nil }
        return await withCheckedContinuation { sleepers.append($0) }
    }

    /// A copy is done: queue its table's index builds ahead of the remaining copies.
    func copied(_ job: Job) {
        copiesLeft -= 1
        waiting.append(contentsOf: builds(job).reversed())
        while !sleepers.isEmpty, let next = waiting.popLast() { sleepers.removeFirst().resume(returning: next) }
        if copiesLeft == 0 { wakeAll() }
    }

    /// A job failed: every task stops taking jobs.
    func fail() {
        failed = true
        wakeAll()
    }

    private func wakeAll() {
        for sleeper in sleepers { sleeper.resume(returning: nil) }
        sleepers = []
    }
}
