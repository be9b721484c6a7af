import EventLog
import FinsyncTestSupport
import Foundation
import Postgres
import Projections
import Replay
import Synchronization
import Testing

@Suite struct RebuildTests {
    /// With worker connections the shadows fold concurrently: same rows.
    @Test(arguments: [0, 2]) func rebuildEqualsIncrementalFold(workers extra: Int) async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            let workers = try await db.connect(count: extra)
            defer { conn.close(); workers.forEach { $0.close() } }
            let log = EventLog(connection: conn)
            // The live tables are maintained incrementally: small batches, caught up between appends.
            for part in 0..<4 {
                try await ReplayFixture.append((part * 1500)..<((part + 1) * 1500), to: log)
                try await ReplayFixture.catchUpLive(conn, batchSize: 333)
            }
            let head = try await log.headPosition()
            #expect(head == 6000)
            let incremental = try await ReplayFixture.dump(ProjectionCatalog.all, connection: conn)
            #expect((incremental["transactions"]?.count ?? 0) > 1000)
            #expect((incremental["daily_balances"]?.count ?? 0) > 100)

            var options = RebuildOptions()
            options.snapshots = extra > 0 ? SnapshotPolicy(every: 2000) : .none
            options.batchSize = 700
            let r = try await ProjectionRebuilder(connection: conn, workers: workers).rebuild(ProjectionCatalog.all, options: options)
            #expect(r.position == head)
            #expect(r.eventsFolded == head)
            let rebuilt = try await ReplayFixture.dump(ProjectionCatalog.all, connection: conn)
            for table in ProjectionCatalog.all.flatMap(\.tables) {
                #expect(rebuilt[table] == incremental[table], "table \(table) differs after the rebuild")
            }
            for p in ProjectionCatalog.all {
                #expect(try await ReplayFixture.checkpoint(p.name, schema: p.liveSchema, connection: conn) == head)
                #expect(try await ReplayFixture.checkpoint(p.name, schema: ProjectionRebuilder.shadowSchema(p), connection: conn) == nil)
            }
            let shadows = try await conn.withSession { s in try s.query("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'rebuild\\_%'")[0].int64(0) }
            #expect(shadows == 0)
            // The live runner carries on from the swapped-in checkpoint.
            try await ReplayFixture.append(6000..<6500, to: log)
            try await ReplayFixture.catchUpLive(conn)
            #expect(try await ReplayFixture.checkpoint("unified", schema: "public", connection: conn) == 6500)
        }
    }

    @Test func readersDuringRebuildAndSwapNeverSeeMissingRows() async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            defer { conn.close() }
            try await ReplayFixture.append(0..<5000, to: EventLog(connection: conn))
            try await ReplayFixture.catchUpLive(conn, batchSize: 5000)
            let countSQL = """
                SELECT (SELECT count(*) FROM public.transactions), (SELECT count(*) FROM public.gc_transactions),
                       (SELECT count(*) FROM public.accounts), (SELECT count(*) FROM analytics.daily_balances)
                """
            let counts: @Sendable (PostgresSession) throws -> [Int64] = { s in let r = try s.query(countSQL); return (0..<4).map { r[0].int64($0)! } }
            let expected = try await conn.withSession(counts)
            #expect(expected.allSatisfy { $0 > 0 })

            let reader = try await db.connect()
            defer { reader.close() }
            let done = Atomic<Bool>(false)
            let readerTask = Task { () throws -> (reads: Int, wrong: [[Int64]]) in
                var reads = 0
                var wrong: [[Int64]] = []
                while !done.load(ordering: .acquiring) {
                    let c = try await reader.withSession(counts)
                    reads += 1
                    if c != expected { wrong.append(c) }
                }
                // One more read after the swap committed.
                let c = try await reader.withSession(counts)
                if c != expected { wrong.append(c) }
                return (reads + 1, wrong)
            }
            // Several rebuilds, so the reader loop overlaps folds and swaps many times.
            for keepOld in [false, true, false] {
                var options = RebuildOptions()
                options.keepOld = keepOld
                options.batchSize = 1000
                _ = try await ProjectionRebuilder(connection: conn).rebuild(ProjectionCatalog.all, options: options)
            }
            done.store(true, ordering: .releasing)
            let outcome = try await readerTask.value
            #expect(outcome.reads > 3)
            #expect(outcome.wrong.isEmpty, "readers saw \(outcome.wrong.prefix(3)) instead of \(expected)")
            // --keep-old left the replaced tables, complete, in a retired schema.
            let retired = try await conn.withSession { s in
                try s.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'retired\\_unified\\_%'").rows.compactMap { $0.string(0) }
            }
            #expect(retired.count == 1)
            if let schema = retired.first {
                let n = try await conn.withSession { s in try SchemaCatalog.rowCount(schema, "transactions", session: s) }
                #expect(n == expected[0])
            }
        }
    }

    @Test func liveKeepsCatchingUpDuringRebuildAndContinuesAfterTheSwap() async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            defer { conn.close() }
            let log = EventLog(connection: conn)
            try await ReplayFixture.append(0..<3000, to: log)
            try await ReplayFixture.catchUpLive(conn)
            // Another process appends and folds the live tables while the rebuild runs.
            let live = try await db.connect()
            defer { live.close() }
            let writer = Task { () throws -> Int in
                var passes = 0
                for part in 0..<6 {
                    try await ReplayFixture.append((3000 + part * 500)..<(3500 + part * 500), to: EventLog(connection: live))
                    // After a swap, a pass that read the old checkpoint stops without writing
                    // (its conditional checkpoint update fails and rolls back) and reports the
                    // target busy, not failed; the next pass carries on.
                    let results = try await ProjectionRunner(connection: live).catchUp(ProjectionCatalog.liveTargets, batchSize: 400)
                    for r in results { #expect(r.outcome == .caughtUp || r.outcome == .busy, "\(r.projection): \(r.outcome) \(r.error.map { "\($0)" } ?? "")") }
                    passes += 1
                }
                return passes
            }
            var options = RebuildOptions()
            options.batchSize = 300
            options.swapLag = 0
            let r = try await ProjectionRebuilder(connection: conn).rebuild(ProjectionCatalog.all, options: options)
            #expect(try await writer.value == 6)
            #expect(r.position >= 3000)
            try await ReplayFixture.catchUpLive(conn)
            #expect(try await log.headPosition() == 6000)
            let errors = try await conn.withSession { s in try s.query("SELECT count(*) FROM projections.checkpoints WHERE last_error IS NOT NULL")[0].int64(0) }
            #expect(errors == 0)
            // The live tables now equal a fold of the whole log from scratch.
            var replayOptions = ReplayOptions()
            replayOptions.useSnapshots = false
            let full = try await PointInTimeReplay(connection: conn).replay(at: .position(6000), into: "full", options: replayOptions)
            #expect(try await ReplayFixture.dump(ProjectionCatalog.all, connection: conn) == ReplayFixture.dump(ProjectionCatalog.all, schema: full.schema, connection: conn))
        }
    }

    @Test func interruptedRebuildLeavesLiveIntactAndResumes() async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            defer { conn.close() }
            let live = try await ReplayFixture.liveState(0..<6000, connection: conn)
            let rebuilder = ProjectionRebuilder(connection: conn)
            var options = RebuildOptions()
            options.batchSize = 500  // chunks of 5000 positions: the stop lands mid-fold
            options.snapshots = .none
            let polls = Atomic<Int>(0)
            do {
                _ = try await rebuilder.rebuild(ProjectionCatalog.all, options: options, shouldContinue: { polls.add(1, ordering: .relaxed).newValue < 2 })
                Issue.record("the rebuild should have been interrupted")
            } catch let e as ReplayError {
                #expect(e.code == .cancelled)
            }
            #expect(try await ReplayFixture.dump(ProjectionCatalog.all, connection: conn) == live)
            let shadow = try await ReplayFixture.checkpoint("unified", schema: "rebuild_unified", connection: conn)
            #expect(shadow == 5000)
            #expect(try await ReplayFixture.checkpoint("unified", schema: "public", connection: conn) == 6000)

            // A failure inside the swap (after the tail was folded into the shadow) rolls it all back.
            let broken = try await conn.withSession { s in
                _ = try s.execute("CREATE SCHEMA IF NOT EXISTS analytics")
                // A view on a live table makes DROP TABLE fail inside the swap transaction.
                _ = try s.execute("CREATE VIEW analytics.blocker AS SELECT * FROM analytics.daily_balances")
                return true
            }
            #expect(broken)
            await #expect(throws: PostgresError.self) { _ = try await rebuilder.rebuild(ProjectionCatalog.all, options: options) }
            #expect(try await ReplayFixture.dump(ProjectionCatalog.all, connection: conn) == live)
            #expect(try await ReplayFixture.checkpoint("unified", schema: "rebuild_unified", connection: conn) == 6000)
            try await conn.withSession { s in _ = try s.execute("DROP VIEW analytics.blocker") }

            // Re-running resumes from the shadow's checkpoint and completes.
            let r = try await rebuilder.rebuild(ProjectionCatalog.all, options: options)
            #expect(r.position == 6000)
            #expect(r.eventsFolded == 0)
            #expect(try await ReplayFixture.dump(ProjectionCatalog.all, connection: conn) == live)
        }
    }

    /// Autovacuum is kept off the shadow while it is bulk-loaded (an autovacuum running at
    /// the swap only yields after `deadlock_timeout`, a second per table, while the swap
    /// holds the live tables), and anything else holding a shadow table delays the swap
    /// without the live tables being held: shadows and live tables are taken in one NOWAIT
    /// statement. The swapped-in tables have statistics and autovacuum back.
    @Test func shadowTablesHeldElsewhereDelayTheSwapWithoutHoldingLiveTables() async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            let holder = try await db.connect()
            defer { conn.close(); holder.close() }
            let live = try await ReplayFixture.liveState(0..<3000, connection: conn)
            let rebuilder = ProjectionRebuilder(connection: conn)
            var options = RebuildOptions()
            options.snapshots = .none
            options.lockWait = .milliseconds(300)
            await #expect(throws: ReplayError.self) {
                _ = try await rebuilder.rebuild(ProjectionCatalog.all, options: options, shouldContinue: { false })
            }
            let reloptions = "SELECT coalesce(array_to_string(reloptions, ','), '') FROM pg_class WHERE oid = $1::regclass"
            let shadowOptions = try await conn.withSession { s in try s.query(reloptions, [.text("rebuild_gocardless_raw.gc_transactions")])[0].string(0) }
            #expect(shadowOptions == "autovacuum_enabled=false")

            // Another session holds a shadow table as autovacuum would.
            try await holder.withSession { s in _ = try s.execute("BEGIN; LOCK TABLE rebuild_unified.transactions IN SHARE UPDATE EXCLUSIVE MODE") }
            do {
                _ = try await rebuilder.rebuild(ProjectionCatalog.all, options: options)
                Issue.record("the swap should have reported the shadow busy")
            } catch let e as ReplayError {
                #expect(e.code == .busy)
            }
            #expect(try await ReplayFixture.dump(ProjectionCatalog.all, connection: conn) == live)
            try await holder.withSession { s in _ = try s.execute("COMMIT") }

            let r = try await rebuilder.rebuild(ProjectionCatalog.all, options: options)
            #expect(r.position == 3000)
            #expect(try await ReplayFixture.dump(ProjectionCatalog.all, connection: conn) == live)
            let swapped = try await conn.withSession { s in
                (try s.query(reloptions, [.text("public.gc_transactions")])[0].string(0),
                 try s.query("SELECT reltuples::bigint FROM pg_class WHERE oid = 'public.gc_transactions'::regclass")[0].int64(0))
            }
            #expect(swapped.0 == "")
            #expect((swapped.1 ?? -1) > 0, "the swapped-in table was analysed")
        }
    }

    /// A rebuild whose database session dies mid-fold, as when its process is killed
    /// (SIGKILL), leaves the live tables untouched and its lock released; a new process
    /// resumes from the shadow's checkpoint and swaps in the same rows.
    @Test func rebuildWhoseSessionDiesMidFoldIsResumedByAnother() async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            defer { conn.close() }
            let live = try await ReplayFixture.liveState(0..<6000, connection: conn)
            let doomed = try await db.connect()
            defer { doomed.close() }
            let pid = try await doomed.withSession { s in try s.query("SELECT pg_backend_pid()")[0].int64(0)! }
            let killer = try PostgresConnection.connectBlocking(db.configuration)
            defer { killer.close() }
            var options = RebuildOptions()
            options.batchSize = 500
            options.snapshots = .none
            let killed = Atomic<Bool>(false)
            await #expect(throws: (any Error).self) {
                _ = try await ProjectionRebuilder(connection: doomed).rebuild(ProjectionCatalog.all, options: options, onProgress: { p in
                    // Once the shadow holds some batches, the server ends the session, as it
                    // does when the client process dies.
                    guard p.position >= 2000, !killed.exchange(true, ordering: .relaxed) else { return }
                    _ = try? killer.withSessionBlocking { s in try s.query("SELECT pg_terminate_backend($1::int)", [PostgresParameter(pid)]) }
                })
            }
            let wasKilled = killed.load(ordering: .relaxed)
            #expect(wasKilled)
            #expect(try await ReplayFixture.dump(ProjectionCatalog.all, connection: conn) == live)
            let shadow = try await ReplayFixture.checkpoint("unified", schema: "rebuild_unified", connection: conn) ?? 0
            #expect(shadow >= 2000 && shadow < 6000)
            let r = try await ProjectionRebuilder(connection: conn).rebuild(ProjectionCatalog.all, options: options)
            #expect(r.position == 6000)
            #expect(r.eventsFolded < 6000)  // resumed, not started over
            #expect(try await ReplayFixture.dump(ProjectionCatalog.all, connection: conn) == live)
        }
    }

    @Test func versionChangedProjectionIsRebuiltAloneWithDependants() async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            defer { conn.close() }
            let live = try await ReplayFixture.liveState(0..<2000, connection: conn)
            // Pretend analytics' tables were built by an older version of its code.
            try await conn.withSession { s in _ = try s.execute("UPDATE projections.checkpoints SET version = 0 WHERE projection = 'analytics' AND target_schema = 'analytics'") }
            let rebuilder = ProjectionRebuilder(connection: conn)
            let stale = try await rebuilder.stale()
            #expect(stale.map(\.name) == ["analytics"])
            let r = try await rebuilder.rebuild(stale)
            #expect(r.projections == ["analytics"])
            #expect(try await ReplayFixture.dump(ProjectionCatalog.all, connection: conn) == live)
            #expect(try await rebuilder.stale().isEmpty)
            // Dependants are transitive and come in catalogue order.
            #expect(try ProjectionRebuilder.selection(["unified"]).map(\.name) == ["unified", "analytics"])
            #expect(try ProjectionRebuilder.selection(["gocardless_raw"]).map(\.name) == ["gocardless_raw", "unified", "analytics"])
            #expect(try ProjectionRebuilder.selection(["analytics"]).map(\.name) == ["analytics"])
            #expect(throws: ReplayError.self) { try ProjectionRebuilder.selection(["nope"]) }
        }
    }

    /// A stale projection is rebuilt with what is built on it, and the whole set matches a
    /// fold from scratch.
    @Test func staleProjectionIsRebuiltWithItsDependants() async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            defer { conn.close() }
            let live = try await ReplayFixture.liveState(0..<2000, connection: conn)
            try await conn.withSession { s in _ = try s.execute("UPDATE projections.checkpoints SET version = 0 WHERE projection = 'unified' AND target_schema = 'public'") }
            let rebuilder = ProjectionRebuilder(connection: conn)
            let stale = try await rebuilder.stale()
            #expect(stale.map(\.name) == ["unified", "analytics"])
            let r = try await rebuilder.rebuild(stale)
            #expect(r.projections == ["unified", "analytics"])
            #expect(try await ReplayFixture.dump(ProjectionCatalog.all, connection: conn) == live)
            #expect(try await rebuilder.stale().isEmpty)
        }
    }
}
