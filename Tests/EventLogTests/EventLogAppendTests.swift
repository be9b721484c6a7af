import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Postgres
import Testing

@Suite struct EventLogAppendTests {
    static let observed = EventType("test.observed")

    static func event(_ n: Int, run: UUID? = nil) -> NewEvent {
        NewEvent(type: observed, json: ["n": .number(String(n)), "amount": .string("-\(n).50")], correlationID: run, metadata: ["endpoint": "/x/"])
    }

    @Test func appendsAndReadsBackEnvelopeAndPayload() async throws {
        try await TestDatabase.with { db in
            let log = EventLog(connection: try await db.connect())
            let run = UUID()
            let occurred = Date(timeIntervalSince1970: 1_700_000_000.123456)
            var first = Self.event(1, run: run)
            first.occurredAt = occurred
            first.causationID = UUID()
            let a = try await log.append([first, Self.event(2, run: run)], to: "s/1", expectedVersion: .noStream)
            let b = try await log.append([Self.event(3)], to: "s/2", expectedVersion: .noStream)
            #expect(a.appended.map(\.position) == [1, 2])
            #expect(a.appended.map(\.streamVersion) == [1, 2])
            #expect(b.appended.map(\.position) == [3])
            #expect(b.streamVersion == 1)

            let all = try await log.readBatch(after: 0)
            #expect(all.map(\.position) == [1, 2, 3])
            let e = all[0]
            #expect(e.eventID == first.eventID)
            #expect(e.streamID == "s/1")
            #expect(e.type == Self.observed)
            #expect(e.correlationID == run)
            #expect(e.causationID == first.causationID)
            #expect(abs(e.occurredAt!.timeIntervalSince(occurred)) < 0.000_01)
            #expect(try e.payload() == first.payload)
            #expect(e.metadata()["endpoint"] == "/x/")
            #expect(all[1].recordedAt >= all[0].recordedAt && all[2].recordedAt >= all[1].recordedAt)
            let stream = try await log.readStream("s/1", fromVersion: 2)
            #expect(stream.map(\.position) == [2])
            #expect(try await log.headPosition() == 3)
            #expect(try await log.event(at: 3)?.streamID == "s/2")
            #expect(try await log.event(at: 4) == nil)
        }
    }

    @Test func wrongExpectedVersionAppendsNothing() async throws {
        try await TestDatabase.with { db in
            let log = EventLog(connection: try await db.connect())
            _ = try await log.append([Self.event(1)], to: "s", expectedVersion: .noStream)
            for expected in [ExpectedVersion.noStream, .exact(0), .exact(2)] {
                do {
                    _ = try await log.append([Self.event(10)], to: "s", expectedVersion: expected)
                    Issue.record("append with \(expected) must fail")
                } catch let e as EventLogError {
                    #expect(e.code == .wrongExpectedVersion)
                    #expect(e.streamID == "s")
                    #expect(e.description.contains("version 1"))
                }
            }
            let ok = try await log.append([Self.event(11)], to: "s", expectedVersion: .exact(1))
            #expect(ok.streamVersion == 2)
            #expect(try await log.headPosition() == 2)
        }
    }

    @Test func duplicatesAppendNothingAndAreReported() async throws {
        try await TestDatabase.with { db in
            let log = EventLog(connection: try await db.connect())
            let batch = (1...5).map { Self.event($0) }
            let first = try await log.append(batch, to: "s")
            #expect(first.appended.count == 5)
            // A re-run observes the same content under new event ids: nothing is appended.
            let rerun = try await log.append((1...5).map { Self.event($0) }, to: "s")
            #expect(rerun.appended.isEmpty)
            #expect(rerun.duplicates.map(\.existingPosition) == [1, 2, 3, 4, 5])
            // Retrying the very same append with a stale expected version still succeeds.
            let retry = try await log.append(batch, to: "s", expectedVersion: .noStream)
            #expect(retry.appended.isEmpty && retry.duplicates.count == 5)
            // Mixed: one new, one repeated within the batch, one already stored.
            let mixed = try await log.append([Self.event(6), Self.event(6), Self.event(2)], to: "s")
            #expect(mixed.appended.map(\.position) == [6])
            #expect(mixed.duplicates.map(\.existingPosition) == [nil, 2])
            // Same event id, different content: still a duplicate.
            var sameID = Self.event(99)
            sameID.eventID = batch[0].eventID
            #expect(try await log.append([sameID], to: "s").appended.isEmpty)
            #expect(try await log.headPosition() == 6)
        }
    }

    /// The triggers hold for every role, the owner included (what the runtime role may not
    /// even attempt is in ``EventLogRoleTests``).
    @Test func logIsImmutableThroughPlainSQL() async throws {
        try await TestDatabase.with { db in
            let log = EventLog(connection: try await db.connect())
            _ = try await log.append([Self.event(1)], to: "s")
            let owner = try await db.connectAsOwner()
            defer { owner.close() }
            for sql in ["UPDATE eventlog.events SET event_type = 'x'", "DELETE FROM eventlog.events", "TRUNCATE eventlog.events",
                        "UPDATE eventlog.compression_dictionaries SET event_type = 'x'", "DELETE FROM eventlog.events WHERE position = 999"] {
                do {
                    try await owner.withSession { _ = try $0.execute(sql) }
                    Issue.record("\(sql) must fail")
                } catch let e as PostgresError {
                    #expect(e.sqlState == "FS001", "trigger rejects \(sql)")
                    #expect(e.message.contains("append-only"))
                }
            }
            #expect(try await log.readBatch(after: 0).map(\.type.name) == ["test.observed"])
        }
    }

    @Test func readsUpToAPositionOrATime() async throws {
        try await TestDatabase.with { db in
            let c = try await db.connect()
            let log = EventLog(connection: c)
            _ = try await log.append((1...3).map { Self.event($0) }, to: "a")
            let cut = try await c.withSession { try $0.query("SELECT clock_timestamp()")[0].date(0)! }
            _ = try await log.append((4...6).map { Self.event($0) }, to: "b")
            #expect(try await log.position(recordedAtOrBefore: cut) == 3)
            #expect(try await log.position(recordedAtOrBefore: Date(timeIntervalSince1970: 0)) == 0)
            #expect(try await log.readBatch(after: 0, upTo: 4).map(\.position) == [1, 2, 3, 4])
            var seen: [Int64] = []
            for try await batch in log.events(after: 1, upTo: 5, batchSize: 2) { seen += batch.map(\.position) }
            #expect(seen == [2, 3, 4, 5])
            #expect(try await log.readBatch(after: 0, types: ["nope"]).isEmpty)
        }
    }

    @Test func snapshotsAppendOnlyChangesIncludingChangesBack() async throws {
        try await TestDatabase.with { db in
            let log = EventLog(connection: try await db.connect())
            let t = EventType("test.balance.observed")
            func snap(_ amount: String, accessed: String = "2024-01-01") -> NewEvent {
                NewEvent(type: t, json: ["amount": .string(amount), "meta": ["last_accessed": .string(accessed)]])
            }
            var appended: [Int] = []
            for (amount, accessed) in [("1", "a"), ("1", "b"), ("2", "c"), ("1", "d"), ("1", "d")] {
                appended.append(try await log.appendSnapshot(snap(amount, accessed: accessed), to: "bal", ignoring: ["last_accessed"]).appended.count)
            }
            #expect(appended == [1, 0, 1, 1, 0])
            let stored = try await log.readStream("bal").map { try $0.json()["amount"]?.string }
            #expect(stored == ["1", "2", "1"])
        }
    }
}

@Suite struct DictionaryCacheTests {
    /// A dictionary trained inside an append that rolls back must not be used afterwards.
    @Test func dictionaryTrainedInARolledBackAppendIsNotReused() async throws {
        try await TestDatabase.with { db in
            let c = try await db.connect()
            let log = EventLog(connection: c, dictionaries: DictionaryStore(minimumSamples: 4, minimumSampleBytes: 64))
            let type = EventType("test.dict")
            func batch(_ k: Int) -> [NewEvent] { (0..<8).map { NewEvent(type: type, json: ["merchant": "Costa Coffee Fulham", "amount": .string("-\(k).\($0)0"), "k": .number(String(k * 10 + $0))]) } }
            _ = try await log.append([NewEvent(type: EventType("test.other"), json: ["x": 1])], to: "s", expectedVersion: .noStream)
            // Trains a dictionary, then fails the version check: everything rolls back.
            await #expect(throws: EventLogError.self) { try await log.append(batch(2), to: "s", expectedVersion: .noStream) }
            #expect(try await c.withSession { try $0.query("SELECT count(*) FROM eventlog.compression_dictionaries")[0].int64(0) } == 0)
            _ = try await log.append(batch(3), to: "s", expectedVersion: .exact(1))
            #expect(try await c.withSession { try $0.query("SELECT count(*) FROM eventlog.compression_dictionaries")[0].int64(0) } == 1)
            for e in try await log.readBatch(after: 0) { _ = try e.payload() }
        }
    }
}
