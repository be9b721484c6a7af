import EventLog
import FinsyncTestSupport
import Postgres
import Projections
import Replay
import Testing

@Suite struct SnapshottingCatchUpTests {
    /// Small incremental catch-ups, as syncs do, snapshot the live tables as they pass each
    /// interval; they apply exactly what a plain catch-up applies, and replays starting from
    /// those snapshots equal folds from position 0.
    @Test func liveCatchUpsSnapshotTheLiveTablesAsTheyPassTheInterval() async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            defer { conn.close() }
            let log = EventLog(connection: conn)
            let live = FoldDriver(runner: ProjectionRunner(connection: conn), batchSize: 300, snapshots: SnapshotPolicy(every: 1000, keep: 10))
            var applied: [String: Int] = [:]
            for part in 0..<5 {
                try await ReplayFixture.append((part * 700)..<((part + 1) * 700), to: log)
                let results = try await live.fold(ProjectionCatalog.liveTargets).results
                let head = try await log.headPosition()
                #expect(results.allSatisfy { $0.outcome == .caughtUp && $0.position == head }, "\(results)")
                for r in results { applied[r.projection, default: 0] += r.eventsApplied }
            }
            #expect(try await log.headPosition() == 3500)
            let positions = try await conn.withSession { s in
                Dictionary(grouping: try SnapshotStore.list(session: s), by: \.projection).mapValues { $0.map(\.position).sorted() }
            }
            #expect(positions == Dictionary(uniqueKeysWithValues: ProjectionCatalog.all.map { ($0.name, [1000, 2000, 3000]) }))

            // The same events applied as by one plain catch-up into other schemas.
            let plain = try await ProjectionRunner(connection: conn).catchUp(
                ProjectionCatalog.all.map { ProjectionTarget($0, schema: $0.liveSchema == "analytics" ? "plain_analytics" : "plain") }, batchSize: 300)
            #expect(Dictionary(uniqueKeysWithValues: plain.map { ($0.projection, $0.eventsApplied) }) == applied)

            // Replays start from the live snapshots and equal full folds.
            var with = ReplayOptions()
            with.snapshots = SnapshotPolicy(every: 1000, keep: 10)
            var without = ReplayOptions()
            without.useSnapshots = false
            let replay = PointInTimeReplay(connection: conn)
            for point: Int64 in [2000, 3200] {
                let a = try await replay.replay(at: .position(point), into: "from_live", options: with)
                #expect(a.startedFrom.values.allSatisfy { $0 == point / 1000 * 1000 })
                _ = try await replay.replay(at: .position(point), into: "full", options: without)
                #expect(try await ReplayFixture.dump(ProjectionCatalog.all, schema: "from_live", connection: conn)
                        == ReplayFixture.dump(ProjectionCatalog.all, schema: "full", connection: conn), "replay to \(point) differs")
            }
            // Taking snapshots left the live tables as a fold from 0 leaves them.
            _ = try await replay.replay(at: .position(3500), into: "full", options: without)
            #expect(try await ReplayFixture.dump(ProjectionCatalog.all, connection: conn)
                    == ReplayFixture.dump(ProjectionCatalog.all, schema: "full", connection: conn))
        }
    }
}
