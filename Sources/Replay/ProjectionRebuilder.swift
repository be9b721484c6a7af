import EventLog
import Foundation
import Postgres
import Projections

/// Zero-downtime rebuilds: fold the whole log into a shadow schema (`rebuild_<projection>`)
/// while the live tables keep serving and catching up, then swap the shadow's tables into
/// the live schema in one transaction.
///
/// - The shadow is an ordinary projection target with its own checkpoint, so an interrupted
///   rebuild (error, SIGINT, SIGKILL) leaves the live tables untouched and the next run
///   resumes where the shadow stopped (or starts over with ``RebuildOptions/restart``, or
///   when the projection's version changed since the shadow was started).
/// - The swap takes the live projection's runner lock, folds the last tail into the shadow,
///   moves (or drops) the live tables, moves the shadow tables in, and moves the checkpoint
///   row — all in one transaction. Readers see the old tables until it commits and the new,
///   complete tables after: PostgreSQL re-resolves a table name whose relation changed while
///   the reader waited for its lock. Live schemas are shared, so tables are swapped, not schemas.
public struct ProjectionRebuilder: RunnerBacked {
    /// Folds the shadows: the projections fold concurrently, one per connection, and
    /// snapshots are copied concurrently.
    public let runner: ProjectionRunner

    public init(runner: ProjectionRunner) { self.runner = runner }

    /// The shadow schema of a projection's rebuild.
    public static func shadowSchema(_ projection: any Projection) -> String { "rebuild_\(projection.name)" }

    /// The projections to rebuild for `names` (all when empty), each with its dependants
    /// (``ProjectionCatalog/dependants``), in catalogue order.
    public static func selection(_ names: [String]) throws -> [any Projection] {
        if names.isEmpty { return ProjectionCatalog.all }
        var wanted = Set<String>()
        var queue = names
        while let n = queue.popLast() {
            guard ProjectionCatalog.named(n) != nil else {
                throw ReplayError(code: .unknownProjection, message: "no projection named \(n); known: \(ProjectionCatalog.all.map(\.name).joined(separator: ", "))")
            }
            if wanted.insert(n).inserted { queue += ProjectionCatalog.dependants[n] ?? [] }
        }
        return ProjectionCatalog.all.filter { wanted.contains($0.name) }
    }

    /// Projections whose live tables were built by another version of their code, with
    /// their dependants: what `finsync rebuild --stale` rebuilds.
    public func stale() async throws -> [any Projection] {
        let status = try await runner.status(ProjectionCatalog.liveTargets)
        let names = status.filter(\.needsRebuild).map(\.projection)
        return names.isEmpty ? [] : try Self.selection(names)
    }

    /// Rebuilds `projections` and swaps them in together.
    ///
    /// - Parameter shouldContinue: polled between chunks; returning false stops the fold with
    ///   ``ReplayError/Code/cancelled`` (the shadow keeps its progress for the next run).
    public func rebuild(_ projections: [any Projection], options: RebuildOptions = RebuildOptions(),
                        shouldContinue: @escaping @Sendable () -> Bool = { true },
                        onProgress: (@Sendable (FoldProgress) -> Void)? = nil) async throws -> RebuildResult {
        guard !projections.isEmpty else {
            return RebuildResult(projections: [], position: try await connection.withSession { try EventLog.headPosition(session: $0) }, eventsFolded: 0, seconds: 0, retiredSchemas: [:])
        }
        let clock = ContinuousClock()
        let began = clock.now
        // One rebuild per projection at a time, across processes: session locks on the main
        // connection, released on every exit path.
        let locked = try await connection.withSession { s in try Self.lock(projections, options: options, session: s) }
        do {
            let (position, folded, retired) = try await foldAndSwap(projections, options: options, shouldContinue: shouldContinue, onProgress: onProgress)
            try await connection.withSession { s in Self.unlock(locked, session: s) }
            let elapsed = began.duration(to: clock.now)
            return RebuildResult(projections: projections.map(\.name), position: position, eventsFolded: folded,
                                 seconds: elapsed / .seconds(1), retiredSchemas: retired)
        } catch {
            try? await connection.withSession { s in Self.unlock(locked, session: s) }
            throw error
        }
    }

    /// Drops the shadows of `projections` (and their checkpoint rows): abandons a rebuild.
    public func abandon(_ projections: [any Projection]) async throws {
        try await connection.withSession { s in
            for p in projections { try Self.dropShadow(p, session: s) }
        }
    }

    static func dropShadow(_ p: any Projection, session s: PostgresSession) throws {
        try s.transaction { t in
            _ = try t.execute("DROP SCHEMA IF EXISTS \(PostgresSession.quoteIdentifier(shadowSchema(p))) CASCADE")
            try TargetRecord.delete(projection: p.name, schema: shadowSchema(p), session: t)
        }
    }

    /// Takes the rebuild locks and drops shadows that cannot be resumed; returns the names locked.
    static func lock(_ projections: [any Projection], options: RebuildOptions, session s: PostgresSession) throws -> [String] {
        var locked: [String] = []
        do {
            for p in projections {
                let got = try s.query("SELECT pg_try_advisory_lock(hashtext('finsync.rebuild:' || $1))", [.text(p.name)])
                guard got[0].string(0) == "t" else {
                    throw ReplayError(code: .busy, message: "another rebuild of this projection is running; wait for it or stop it first", projection: p.name)
                }
                locked.append(p.name)
            }
            // A shadow started by another version of the code (or --restart) starts over.
            for p in projections {
                let r = try s.query("SELECT version FROM projections.checkpoints WHERE projection = $1 AND target_schema = $2", [.text(p.name), .text(shadowSchema(p))])
                if options.restart || (r.count == 1 && r[0].int(0) != p.version) { try dropShadow(p, session: s) }
            }
        } catch {
            unlock(locked, session: s)
            throw error
        }
        return locked
    }

    static func unlock(_ names: [String], session s: PostgresSession) {
        for n in names { _ = try? s.query("SELECT pg_advisory_unlock(hashtext('finsync.rebuild:' || $1))", [.text(n)]) }
    }

    /// Folds the shadows (concurrently, on the workers) until the remaining tail is short,
    /// then swaps. Returns the position swapped at, the positions folded and the retired schemas.
    func foldAndSwap(_ projections: [any Projection], options: RebuildOptions, shouldContinue: @escaping @Sendable () -> Bool,
                     onProgress: (@Sendable (FoldProgress) -> Void)?) async throws -> (Int64, Int64, [String: String]) {
        let targets = projections.map { ProjectionTarget($0, schema: Self.shadowSchema($0)) }
        let driver = FoldDriver(runner: runner, mode: .complete, batchSize: options.batchSize, snapshots: options.snapshots,
                                shouldContinue: shouldContinue, onProgress: onProgress)
        // Autovacuum stays off the shadow tables while they are bulk-loaded: the swap needs
        // each in ACCESS EXCLUSIVE mode, and a running autovacuum only yields after
        // `deadlock_timeout` (1 s a table), while the swap already holds the live tables.
        // Set once, when the shadow is created: a resumed shadow runs no DDL.
        try await connection.withSession { s in
            for target in targets {
                try ProjectionRunner.prepare(target, session: s)
                let unset = try s.query("""
                    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND NOT coalesce(c.reloptions @> '{autovacuum_enabled=false}', false)
                    """, [.text(target.schema), .textArray(target.projection.tables)])
                for row in unset {
                    _ = try s.execute("ALTER TABLE \(SchemaCatalog.qualified(target.schema, try row.decode(String.self, 0))) SET (autovacuum_enabled = false)")
                }
            }
        }
        var folded: Int64 = 0
        while true {
            let head = try await connection.withSession { try EventLog.headPosition(session: $0) }
            folded += try await driver.fold(targets, upTo: head).positionsScanned
            if try await connection.withSession({ try EventLog.headPosition(session: $0) }) - head <= options.swapLag { break }
        }
        guard shouldContinue() else { throw ReplayError(code: .cancelled, message: "stopped before the swap; the live tables are untouched and a re-run resumes") }
        // Statistics for the tables about to go live (the live ones had autovacuum's), taken
        // before the swap so that it holds no lock while sampling; a table someone else holds
        // is skipped (autovacuum analyses it once it is live).
        try await connection.withSession { s in
            for target in targets {
                _ = try s.execute("ANALYZE (SKIP_LOCKED) " + target.projection.tables.map { SchemaCatalog.qualified(target.schema, $0) }.joined(separator: ", "))
            }
        }
        let dictionaries = self.dictionaries
        let (position, tail, retired) = try await connection.withSession { s in try Self.swap(projections, options: options, session: s, dictionaries: dictionaries) }
        return (position, folded + tail, retired)
    }

    /// The swap: one transaction.
    static func swap(_ projections: [any Projection], options: RebuildOptions, session s: PostgresSession,
                     dictionaries: DictionaryStore) throws -> (position: Int64, tail: Int64, retired: [String: String]) {
        try s.transaction { t in
            // The live runners' lock (they try-lock, so they skip this projection until we commit).
            for p in projections {
                for schema in [p.liveSchema, shadowSchema(p)] {
                    _ = try t.query("SELECT pg_advisory_xact_lock(\(ProjectionRunner.lockKeySQL))", [.text(p.name), .text(schema)])
                }
            }
            let head = try EventLog.headPosition(session: t)
            var tail: Int64 = 0
            for p in projections {
                let from = try t.query("SELECT position FROM projections.checkpoints WHERE projection = $1 AND target_schema = $2 FOR UPDATE",
                                       [.text(p.name), .text(shadowSchema(p))])
                guard from.count == 1, let start = from[0].int64(0) else {
                    throw ReplayError(code: .invalidSchema, message: "the shadow has no checkpoint; re-run the rebuild", projection: p.name, schema: shadowSchema(p))
                }
                tail = max(tail, head - start)
                try foldTail(p, schema: shadowSchema(p), upTo: head, batchSize: options.batchSize, session: t, dictionaries: dictionaries)
            }
            try lockTables(projections, wait: options.lockWait, session: t)
            let stamp = try t.query("SELECT to_char(clock_timestamp(), 'YYYYMMDD\"_\"HH24MISS')")[0].decode(String.self, 0)
            var retired: [String: String] = [:]
            for p in projections {
                let live = PostgresSession.quoteIdentifier(p.liveSchema)
                let shadow = shadowSchema(p)
                let old = "retired_\(p.name)_\(stamp)"
                _ = try t.execute("CREATE SCHEMA IF NOT EXISTS \(live)")
                if options.keepOld { _ = try t.execute("CREATE SCHEMA IF NOT EXISTS \(PostgresSession.quoteIdentifier(old))") }
                for table in p.tables {
                    if try SchemaCatalog.tableExists(p.liveSchema, table, session: t) {
                        if options.keepOld {
                            _ = try t.execute("ALTER TABLE \(SchemaCatalog.qualified(p.liveSchema, table)) SET SCHEMA \(PostgresSession.quoteIdentifier(old))")
                        } else {
                            _ = try t.execute("DROP TABLE \(SchemaCatalog.qualified(p.liveSchema, table))")
                        }
                    }
                    _ = try t.execute("ALTER TABLE \(SchemaCatalog.qualified(shadow, table)) SET SCHEMA \(live)")
                    _ = try t.execute("ALTER TABLE \(SchemaCatalog.qualified(p.liveSchema, table)) RESET (autovacuum_enabled)")
                }
                if options.keepOld {
                    retired[p.name] = old
                    try TargetRecord.move(projection: p.name, from: p.liveSchema, to: old, session: t)
                } else {
                    try TargetRecord.delete(projection: p.name, schema: p.liveSchema, session: t)
                }
                try TargetRecord.move(projection: p.name, from: shadow, to: p.liveSchema, clearingError: true, session: t)
                _ = try t.execute("DROP SCHEMA \(PostgresSession.quoteIdentifier(shadow)) CASCADE")
            }
            return (head, tail, retired)
        }
    }

    /// Takes every existing live table of `projections`, and every shadow table, in ACCESS
    /// EXCLUSIVE mode, all at once and without waiting (NOWAIT), retrying with a short
    /// back-off until `wait` has passed. Holding none while waiting is what keeps a
    /// multi-table reader from deadlocking with the swap; taking the shadows in the same
    /// statement means anything holding one (a manual VACUUM, a query) delays the swap
    /// without the live tables being held meanwhile.
    static func lockTables(_ projections: [any Projection], wait: Duration, session t: PostgresSession) throws {
        var tables: [String] = []
        for p in projections {
            for table in p.tables where try SchemaCatalog.tableExists(p.liveSchema, table, session: t) { tables.append(SchemaCatalog.qualified(p.liveSchema, table)) }
            tables += p.tables.map { SchemaCatalog.qualified(shadowSchema(p), $0) }
        }
        guard !tables.isEmpty else { return }
        let clock = ContinuousClock()
        let deadline = clock.now + wait
        var pause = Duration.milliseconds(2)
        while true {
            _ = try t.execute("SAVEPOINT finsync_swap_lock")
            do {
                _ = try t.execute("LOCK TABLE \(tables.joined(separator: ", ")) IN ACCESS EXCLUSIVE MODE NOWAIT")
                _ = try t.execute("RELEASE SAVEPOINT finsync_swap_lock")
                return
            } catch let e as PostgresError where e.sqlState == "55P03" {
                _ = try t.execute("ROLLBACK TO SAVEPOINT finsync_swap_lock")
                guard clock.now < deadline else {
                    throw ReplayError(code: .busy, message: "readers kept the live tables busy for \(wait); nothing was swapped, and a re-run resumes from the shadow",
                                      projection: projections.map(\.name).joined(separator: ","))
                }
                Thread.sleep(forTimeInterval: pause / .seconds(1))
                pause = min(pause * 2, .milliseconds(50))
            }
        }
    }

    /// Folds the shadow's last tail inside the swap's transaction, through the runner (so
    /// events are parked exactly as in the rest of the rebuild); anything that stops the
    /// fold fails the swap, which rolls back and leaves the live tables as they were.
    static func foldTail(_ p: any Projection, schema: String, upTo: Int64, batchSize: Int, session t: PostgresSession, dictionaries: DictionaryStore) throws {
        let target = ProjectionTarget(p, schema: schema)
        for r in try ProjectionRunner.catchUp([target], upTo: upTo, batchSize: batchSize, session: t, dictionaries: dictionaries) {
            try r.requireCaughtUp()
        }
    }
}
