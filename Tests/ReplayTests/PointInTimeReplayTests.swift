import EventLog
import FinsyncTestSupport
import Foundation
import Postgres
import Projections
import Replay
import Testing

@Suite struct PointInTimeReplayTests {
    @Test func replayAtPointEqualsTheLiveStateThen() async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            defer { conn.close() }
            let log = EventLog(connection: conn)
            try await ReplayFixture.append(0..<3000, to: log)
            try await ReplayFixture.catchUpLive(conn, batchSize: 700)
            let p1 = try await log.headPosition()
            let then = try await ReplayFixture.dump(ProjectionCatalog.all, connection: conn)
            try await ReplayFixture.append(3000..<6000, to: log)
            try await ReplayFixture.catchUpLive(conn, batchSize: 700)
            let now = try await ReplayFixture.dump(ProjectionCatalog.all, connection: conn)
            #expect(now != then)

            let replay = PointInTimeReplay(connection: conn)
            var options = ReplayOptions()
            options.useSnapshots = false
            let r = try await replay.replay(at: .position(p1), options: options)
            #expect(r.schema == "replay_p\(p1)")
            #expect(r.position == p1)
            #expect(try await ReplayFixture.dump(ProjectionCatalog.all, schema: r.schema, connection: conn) == then)
            // Live is untouched, and the scratch schema is plain SQL.
            #expect(try await ReplayFixture.dump(ProjectionCatalog.all, connection: conn) == now)
            let n = try await conn.withSession { s in try s.query("SELECT count(*) FROM \(r.schema).transactions WHERE status = 'booked'")[0].int64(0) }
            #expect((n ?? 0) > 0)

            // By time: everything recorded at or before the last event of the first part.
            let at = try await conn.withSession { s in try s.query("SELECT recorded_at FROM eventlog.events WHERE position = $1", [PostgresParameter(p1)])[0].date(0)! }
            let byTime = try await replay.resolve(.recordedAtOrBefore(at))
            #expect(byTime >= p1)

            // Only some projections, into a named schema; dropping it removes it.
            let unified = try await replay.replay([UnifiedProjection()], at: .position(p1), into: "scratch_u", options: options)
            #expect(unified.projections == ["unified"])
            #expect(try await ReplayFixture.dump([UnifiedProjection()], schema: "scratch_u", connection: conn) == then.filter { UnifiedProjection().tables.contains($0.key) })
            try await replay.drop(schema: "scratch_u")
            let exists = try await conn.withSession { s in try SchemaCatalog.schemaExists("scratch_u", session: s) }
            #expect(!exists)
            // Schemas it did not make are refused.
            await #expect(throws: ReplayError.self) { try await replay.drop(schema: "public") }
            await #expect(throws: ReplayError.self) { _ = try await replay.replay(at: .position(p1), into: "analytics") }
            await #expect(throws: ReplayError.self) { _ = try await replay.replay(at: .position(1_000_000)) }
        }
    }

    /// With worker connections, snapshots are taken and restored and the tail folded
    /// concurrently; the result still equals a single-connection fold from position 0.
    @Test(.timeLimit(.minutes(5)), arguments: [0, 2]) func snapshotsChangeNothingButWhereTheFoldStarts(workers extra: Int) async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            let workers = try await db.connect(count: extra)
            defer { conn.close(); workers.forEach { $0.close() } }
            let log = EventLog(connection: conn)
            try await ReplayFixture.append(0..<5000, to: log)
            let replay = PointInTimeReplay(connection: conn, workers: workers)
            let single = PointInTimeReplay(connection: conn)
            var without = ReplayOptions()
            without.useSnapshots = false
            var with = ReplayOptions()
            with.snapshots = SnapshotPolicy(every: 1000)
            with.batchSize = 300
            // A first replay to the head takes snapshots at every 1000 positions.
            let first = try await replay.replay(at: .position(5000), into: "seed", options: with)
            #expect(first.startedFrom.values.allSatisfy { $0 == 0 })
            let snaps = try await conn.withSession { s in try SnapshotStore.list(session: s) }
            #expect(Set(snaps.map(\.position)) == [1000, 2000, 3000, 4000, 5000])
            #expect(snaps.count == 5 * ProjectionCatalog.all.count)  // every projection, at each of the 5 positions
            // Never changed, only read whole: autovacuum is kept off snapshot tables.
            let vacuumed = try await conn.withSession { s in
                let r = try s.query("""
                    SELECT count(*), count(*) FILTER (WHERE NOT coalesce(c.reloptions @> '{autovacuum_enabled=false}', false))
                    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname LIKE 'snap\\_%' AND c.relkind = 'r'
                    """)
                return (r[0].int64(0) ?? 0, r[0].int64(1) ?? -1)
            }
            #expect(vacuumed.0 == Int64(snaps.count / ProjectionCatalog.all.count * ProjectionCatalog.all.map(\.tables.count).reduce(0, +)))
            #expect(vacuumed.1 == 0)
            for point: Int64 in [999, 1000, 2500, 4999, 5000] {
                let a = try await replay.replay(at: .position(point), into: "with_snap", options: with)
                let b = try await single.replay(at: .position(point), into: "without_snap", options: without)
                #expect(a.startedFrom.values.allSatisfy { $0 == point / 1000 * 1000 }, "replay to \(point) should start from the snapshot at \(point / 1000 * 1000)")
                #expect(b.startedFrom.values.allSatisfy { $0 == 0 })
                #expect(a.eventsFolded == point % 1000)
                #expect(a.restoreSeconds > 0 && a.restoreSeconds <= a.seconds, "the restore is a part of the replay's time")
                let da = try await ReplayFixture.dump(ProjectionCatalog.all, schema: "with_snap", connection: conn)
                let dbb = try await ReplayFixture.dump(ProjectionCatalog.all, schema: "without_snap", connection: conn)
                #expect(da == dbb, "snapshot replay to \(point) differs from the full fold")
                #expect((da["gc_transactions"]?.count ?? 0) > 0)
            }
            // A snapshot emptied by crash recovery (its tables are unlogged) is detected by its
            // row count, dropped, and the next older one used instead.
            let at3000 = try await conn.withSession { s in try SnapshotStore.list(session: s).first { $0.projection == "unified" && $0.position == 3000 }! }
            try await conn.withSession { s in _ = try s.execute("TRUNCATE \(at3000.schema).transactions") }
            let fallback = try await replay.replay([UnifiedProjection()], at: .position(3500), into: "with_snap", options: with)
            #expect(fallback.startedFrom["unified"] == 2000)
            let full = try await single.replay([UnifiedProjection()], at: .position(3500), into: "without_snap", options: without)
            #expect(fallback.eventsFolded == 1500 && full.eventsFolded == 3500)
            #expect(try await ReplayFixture.dump([UnifiedProjection()], schema: "with_snap", connection: conn)
                    == ReplayFixture.dump([UnifiedProjection()], schema: "without_snap", connection: conn))
            // The fold re-took the snapshot at 3000 on its way to 3500.
            #expect(try await conn.withSession { s in try SnapshotStore.list(session: s).filter { $0.projection == "unified" }.map(\.position) } == [1000, 2000, 3000, 4000, 5000])

            // A snapshot missing a table (dropped by hand) is not intact: it is dropped and the
            // next older one used.
            let raw3000 = try await conn.withSession { s in try SnapshotStore.list(session: s).first { $0.projection == "gocardless_raw" && $0.position == 3000 }! }
            try await conn.withSession { s in _ = try s.execute("DROP TABLE \(raw3000.schema).gc_balances") }
            let missing = try await replay.replay(at: .position(3500), into: "with_snap", options: with)
            #expect(missing.startedFrom["gocardless_raw"] == 2000)
            #expect(missing.startedFrom.filter { $0.key != "gocardless_raw" }.values.allSatisfy { $0 == 3000 })
            _ = try await single.replay(at: .position(3500), into: "without_snap", options: without)
            #expect(try await ReplayFixture.dump(ProjectionCatalog.all, schema: "with_snap", connection: conn)
                    == ReplayFixture.dump(ProjectionCatalog.all, schema: "without_snap", connection: conn))
            #expect(try await conn.withSession { s in try SnapshotStore.list(session: s).filter { $0.projection == "gocardless_raw" }.map(\.position) } == [1000, 2000, 3000, 4000, 5000])

            // A snapshot of another code version is never used.
            try await conn.withSession { s in
                for snap in try SnapshotStore.list(session: s) {
                    _ = try s.execute("ALTER SCHEMA \(snap.schema) RENAME TO \(snap.schema)_next")
                    _ = try s.query("UPDATE replay.snapshots SET version = version + 1, schema_name = schema_name || '_next' WHERE schema_name = $1", [.text(snap.schema)])
                }
            }
            let c = try await replay.replay(at: .position(2500), into: "with_snap", options: with)
            #expect(c.startedFrom.values.allSatisfy { $0 == 0 })
            // It re-took 1000 and 2000 on the way, and dropped the other version's snapshots
            // (no replay by this code can use them).
            let left = try await conn.withSession { s in try SnapshotStore.list(session: s) }
            #expect(left.count == 2 * ProjectionCatalog.all.count)
            #expect(Set(left.map(\.position)) == [1000, 2000])
            #expect(left.allSatisfy { snap in snap.version == ProjectionCatalog.named(snap.projection)!.version })
            let schemasLeft = try await conn.withSession { s in try s.query("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'snap\\_%'")[0].int64(0) }
            #expect(schemasLeft == Int64(left.count))
        }
    }
}
