import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Postgres
import Projections
import ProviderSamples
import Synchronization
import Testing

/// `follow` outlives the server dropping its connections (what a restart looks like to a
/// client): it reconnects with backoff and goes on projecting.
@Suite struct ProjectionFollowReconnectTests {
    /// Appends `count` generated household events (items only, as one run would).
    static func append(_ count: Int, seed: UInt64, to log: EventLog) async throws {
        var byStream: [String: [NewEvent]] = [:]
        for s in HouseholdLog(seed: seed, bankAccounts: 1, transactionsPerAccountPerDay: 2).prefix(count) where !s.isSnapshot {
            byStream[s.stream, default: []].append(NewEvent(type: EventType(s.type), json: s.payload, occurredAt: s.occurredAt))
        }
        for (stream, events) in byStream.sorted(by: { $0.key < $1.key }) { _ = try await log.append(events, to: stream) }
    }

    /// The lowest checkpoint of the live targets and the log's head.
    static func progress(_ conn: PostgresConnection) async throws -> (lowest: Int64, head: Int64) {
        let status = try await ProjectionRunner(connection: conn).status(ProjectionCatalog.liveTargets)
        let head = try await EventLog(connection: conn).headPosition()
        return (status.map(\.position).min() ?? 0, head)
    }

    @Test(arguments: [0, 2]) func followReconnectsAfterItsBackendsAreTerminated(workers: Int) async throws {
        try await TestDatabase.with { db in
            let observer = try await db.connect()
            defer { observer.close() }
            let log = EventLog(connection: observer)
            try await Self.append(200, seed: 5, to: log)

            let conn = try await db.connect()
            let pool = try await db.connect(count: workers)
            defer { conn.close(); pool.forEach { $0.close() } }
            let runner = ProjectionRunner(connection: conn, workers: pool)
            let stop = Counter(), losses = Counter()
            let follower = Task {
                try await runner.follow(ProjectionCatalog.liveTargets, pollInterval: .seconds(60),
                                        backoff: ReconnectBackoff(initial: .milliseconds(20), maximum: .milliseconds(200)),
                                        shouldStop: { stop.value > 0 },
                                        onConnectionLost: { _, _ in losses.add() })
            }
            defer { stop.add(); follower.cancel() }

            /// Polls the database (bounded) until every live projection has reached the head.
            func caughtUp() async throws -> Bool {
                for _ in 0..<600 {
                    let p = try await Self.progress(observer)
                    if p.lowest == p.head { return true }
                    try await Task.sleep(for: .milliseconds(50))
                }
                return false
            }
            #expect(try await caughtUp())

            // What a server restart does to the follower: every one of its backends is terminated.
            var pids: [Int32] = []
            for c in [conn] + pool { pids.append(Int32(try await c.withSession { try $0.query("SELECT pg_backend_pid()")[0].int64(0) ?? 0 })) }
            let backends = pids
            try await observer.withSession { s in
                for pid in backends { _ = try s.query("SELECT pg_terminate_backend($1)", [PostgresParameter(Int64(pid))]) }
            }
            try await Self.append(200, seed: 6, to: log)
            #expect(try await caughtUp(), "the follower projected the events appended after its connections were terminated")
            #expect(losses.value >= 1)
            // It is still running (it did not end with the error) and stops when asked.
            stop.add()
            try await observer.withSession { try $0.notify(EventLog.notificationChannel) }
            try await follower.value
        }
    }
}

/// A count shared with the follower's closures.
final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func add() { count.withLock { $0 += 1 } }
}
