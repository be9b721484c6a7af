import CanonicalJSON
@testable import EventLog
import FinsyncTestSupport
import Postgres
import Testing

@Suite struct EventBatchesTests {
    /// A consumer that stops after the first batch must not leave the read of the next one
    /// running: dropping the iterator cancels it.
    @Test func stoppingEarlyCancelsTheReadAhead() async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            defer { conn.close() }
            let log = EventLog(connection: conn)
            _ = try await log.append((0..<6).map { NewEvent(type: EventType("test.observed"), json: ["n": .number(String($0))]) }, to: "s/1")
            var iterator: EventBatches.AsyncIterator? = log.events(batchSize: 2).makeAsyncIterator()
            #expect(try await iterator?.next()?.map(\.position) == [1, 2])
            let readAhead = try #require(iterator?.prefetch.task)
            #expect(!readAhead.isCancelled)
            iterator = nil
            #expect(readAhead.isCancelled)
            _ = try? await readAhead.value  // let it finish before the connection closes
        }
    }
}
