import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Postgres
import Testing

@Suite struct EventLogConcurrencyTests {
    /// Four appenders race while a follower reads "everything after my cursor" over and
    /// over. The follower must see every event exactly once, in position order, with no gaps.
    @Test func followerNeverSkipsEventsUnderConcurrentAppenders() async throws {
        try await TestDatabase.with { db in
            let appenders = 4, batchesEach = 25, batchSize = 20
            let total = appenders * batchesEach * batchSize
            let shared = DictionaryStore()
            let follower = EventLog(connection: try await db.connect(), dictionaries: shared)
            let seen = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for a in 0..<appenders {
                    group.addTask {
                        let log = EventLog(connection: try await db.connect(), dictionaries: shared)
                        for b in 0..<batchesEach {
                            let events = (0..<batchSize).map { i in NewEvent(type: EventType("race"), json: ["a": .number(String(a)), "b": .number(String(b)), "i": .number(String(i))]) }
                            // Half the writers also race on one shared stream with optimistic retries.
                            let stream = a % 2 == 0 ? "race/shared" : "race/\(a)"
                            while true {
                                let v = try await log.readStream(stream, fromVersion: 1, limit: 1_000_000).count
                                do { _ = try await log.append(events, to: stream, expectedVersion: .exact(Int64(v))); break }
                                catch let e as EventLogError where e.code == .wrongExpectedVersion { continue }
                            }
                        }
                        log.connection.close()
                        return []
                    }
                }
                group.addTask {
                    var cursor: Int64 = 0
                    var positions: [Int64] = []
                    while positions.count < total {
                        let batch = try await follower.readBatch(after: cursor, limit: 37)
                        for e in batch { positions.append(e.position); cursor = e.position }
                    }
                    return positions
                }
                var follower: [Int64] = []
                for try await r in group where !r.isEmpty { follower = r }
                return follower
            }
            #expect(seen.count == total)
            #expect(seen == Array(1...Int64(total)))
            // The shared stream's versions are dense too.
            let shared2 = try await follower.readStream("race/shared", limit: 100_000).map(\.streamVersion)
            #expect(shared2 == Array(1...Int64(shared2.count)))
            #expect(shared2.count == 2 * batchesEach * batchSize)
        }
    }
}
