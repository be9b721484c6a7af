import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Postgres
import Projections
import Testing

/// A batch size below 1 is refused with an error naming it (it used to reach a force unwrap
/// on the rows read: a Swift fatal error in `rebuild` and `replay --batch-size 0`).
@Suite struct ProjectionRunnerBatchSizeTests {
    @Test(arguments: [0, 1]) func catchUpRefusesABatchSizeBelowOne(workers: Int) async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            let pool = try await db.connect(count: workers)
            defer { conn.close(); pool.forEach { $0.close() } }
            _ = try await EventLog(connection: conn).append([NewEvent(type: EventType("test.observed"), json: ["n": .number("1")])], to: "test/batch")
            let runner = ProjectionRunner(connection: conn, workers: pool)
            await #expect(throws: ProjectionError.self) { try await runner.catchUp(ProjectionCatalog.liveTargets, batchSize: 0) }
            let results = try await runner.catchUp(ProjectionCatalog.liveTargets, batchSize: 1)
            #expect(results.allSatisfy { $0.outcome == .caughtUp && $0.position == 1 })
        }
    }
}
