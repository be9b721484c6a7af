import EventLog
import FinsyncTestSupport
import Postgres
import Projections
import Replay
import Testing

@Suite struct SnapshotPolicyTests {
    @Test func intervalDoublesWhenTheLogOutgrowsTheLimit() {
        let p = SnapshotPolicy(every: 100, keep: 4)
        #expect(p.interval(reaching: 0) == 100)
        #expect(p.interval(reaching: 400) == 100)   // 4 intervals fit
        #expect(p.interval(reaching: 499) == 100)
        #expect(p.interval(reaching: 500) == 200)   // 5 would not
        #expect(p.interval(reaching: 1600) == 400)
        #expect(p.interval(reaching: 1999) == 400)  // ⌊1999/400⌋ = 4 intervals
        #expect(p.interval(reaching: 2000) == 800)
        #expect(p.keeps(800, reaching: 2000) && !p.keeps(400, reaching: 2000) && !p.keeps(1200, reaching: 2000))
        #expect(p.keeps(400, reaching: 1600) && p.keeps(1200, reaching: 1600) && !p.keeps(200, reaching: 1600))
        // No limit: the interval never grows and nothing is thinned.
        let unlimited = SnapshotPolicy(every: 100, keep: 0)
        #expect(unlimited.interval(reaching: 1_000_000) == 100)
        #expect(unlimited.keeps(300, reaching: 1_000_000))
        #expect(SnapshotPolicy.none.interval(reaching: 1000) == 0)
        #expect(!SnapshotPolicy.none.takesSnapshots)
    }

    /// Rebuilds of a growing log keep at most `keep` snapshots per projection, evenly
    /// spread, drop the thinned ones' schemas, and replays from what is left still equal a
    /// fold from position 0.
    @Test func foldsKeepAtMostTheLimitEvenlySpread() async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            defer { conn.close() }
            let log = EventLog(connection: conn)
            let rebuilder = ProjectionRebuilder(connection: conn)
            var options = RebuildOptions()
            options.batchSize = 400
            options.snapshots = SnapshotPolicy(every: 500, keep: 3)
            func positions() async throws -> [String: [Int64]] {
                try await conn.withSession { s in Dictionary(grouping: try SnapshotStore.list(session: s), by: \.projection).mapValues { $0.map(\.position).sorted() } }
            }
            func snapshotSchemas() async throws -> Int64 {
                try await conn.withSession { s in try s.query("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'snap\\_%'")[0].int64(0)! }
            }

            try await ReplayFixture.append(0..<1500, to: log)
            _ = try await rebuilder.rebuild(ProjectionCatalog.all, options: options)
            // 1500 positions fit 3 intervals of 500.
            #expect(try await positions() == Dictionary(uniqueKeysWithValues: ProjectionCatalog.all.map { ($0.name, [500, 1000, 1500]) }))

            try await ReplayFixture.append(1500..<4000, to: log)
            _ = try await rebuilder.rebuild(ProjectionCatalog.all, options: options)
            // 4000 needs an interval of 2000 to fit 3: only 2000 and 4000 stay.
            #expect(try await positions() == Dictionary(uniqueKeysWithValues: ProjectionCatalog.all.map { ($0.name, [2000, 4000]) }))
            #expect(try await snapshotSchemas() == Int64(2 * ProjectionCatalog.all.count))

            // A snapshot emptied by crash recovery (unlogged tables come back empty) is not
            // mistaken for an intact one: the next fold through its position takes it again.
            let emptied = try await conn.withSession { s in try SnapshotStore.list(session: s).first { $0.projection == "gocardless_raw" && $0.position == 2000 }! }
            #expect(emptied.rowCount > 0)
            try await conn.withSession { s in
                #expect(try SnapshotStore.isIntact(emptied, of: GoCardlessRawProjection(), session: s))
                for table in GoCardlessRawProjection().tables { _ = try s.execute("TRUNCATE \(SchemaCatalog.qualified(emptied.schema, table))") }
                #expect(try !SnapshotStore.isIntact(emptied, of: GoCardlessRawProjection(), session: s))
            }
            _ = try await rebuilder.rebuild(ProjectionCatalog.all, options: options)
            let retaken = try await conn.withSession { s in try SnapshotStore.list(session: s).first { $0.projection == "gocardless_raw" && $0.position == 2000 } }
            #expect(retaken?.rowCount == emptied.rowCount)
            #expect(try await conn.withSession { s in try SnapshotStore.isIntact(retaken!, of: GoCardlessRawProjection(), session: s) })

            // Replays starting from the kept snapshots equal full folds.
            var replayOptions = ReplayOptions()
            replayOptions.snapshots = options.snapshots
            let replay = PointInTimeReplay(connection: conn)
            var full = ReplayOptions()
            full.useSnapshots = false
            for point: Int64 in [1999, 2000, 3999, 4000] {
                let a = try await replay.replay(at: .position(point), into: "thinned", options: replayOptions)
                #expect(a.startedFrom.values.allSatisfy { $0 == point / 2000 * 2000 })
                _ = try await replay.replay(at: .position(point), into: "full", options: full)
                #expect(try await ReplayFixture.dump(ProjectionCatalog.all, schema: "thinned", connection: conn)
                        == ReplayFixture.dump(ProjectionCatalog.all, schema: "full", connection: conn), "replay to \(point) differs")
            }
        }
    }
}
