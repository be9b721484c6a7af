import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Postgres
import ProviderSamples
import Testing

@Suite struct EventLogCompressionTests {
    @Test func realisticPayloadsStoreInAThirdOfTheirSizeAndDecodeExactly() async throws {
        try await TestDatabase.with { db in
            let log = EventLog(connection: try await db.connect())
            var byStream: [String: [NewEvent]] = [:]
            for s in HouseholdLog(seed: 7).prefix(4000) {
                byStream[s.stream, default: []].append(NewEvent(type: EventType(s.type), json: s.payload))
            }
            var originals: [UUID: [UInt8]] = [:]
            // Identical observations (e.g. empty portfolios on consecutive days) are stored once.
            let distinct = Set(byStream.flatMap { stream, events in events.map { ContentKey(stream: stream, type: $0.type, canonicalPayload: $0.payload) } }).count
            #expect(distinct < 4000 && distinct > 3900)
            for (stream, events) in byStream.sorted(by: { $0.key < $1.key }) {
                for chunk in stride(from: 0, to: events.count, by: 500).map({ Array(events[$0..<min($0 + 500, events.count)]) }) {
                    _ = try await log.append(chunk, to: stream)
                    for e in chunk { originals[e.eventID] = e.payload }
                }
            }
            let stats = try await log.stats()
            #expect(stats.events == Int64(distinct))
            #expect(stats.dictionaries >= 3)
            #expect(stats.ratio >= 3.0, "stored \(stats.storedBytes) of \(stats.rawBytes) raw bytes")
            // A fresh reader (empty dictionary cache) decodes every payload exactly.
            let reader = EventLog(connection: try await db.connect())
            var checked = 0
            for try await batch in reader.events(batchSize: 700) {
                for e in batch {
                    #expect(originals[e.eventID] != nil)
                    #expect(try e.payload() == originals[e.eventID])
                    checked += 1
                }
            }
            #expect(checked == distinct)
        }
    }

    @Test func corruptPayloadIsAnErrorNamingItsPositionNotACrash() async throws {
        try await TestDatabase.with { db in
            let c = try await db.connect()
            let log = EventLog(connection: c)
            let events = HouseholdLog(seed: 9).prefix(300).filter { $0.type == EventCatalog.gocardlessTransactionBooked.name }.map { NewEvent(type: EventType($0.type), json: $0.payload) }
            _ = try await log.append(events, to: "acct")
            let victim: Int64 = 7
            // Simulate on-disk corruption (bypassing the immutability trigger as the log's owner can).
            let owner = try await db.connectAsOwner()
            defer { owner.close() }
            try await owner.withSession { s in
                try s.transaction { t in
                    _ = try t.execute("ALTER TABLE eventlog.events DISABLE TRIGGER events_no_update_delete")
                    _ = try t.execute("UPDATE eventlog.events SET payload = substring(payload from 1 for 5) || '\\xdeadbeef'::bytea WHERE position = \(victim)")
                    _ = try t.execute("UPDATE eventlog.events SET raw_size = raw_size + 10 WHERE position = 8")
                    _ = try t.execute("ALTER TABLE eventlog.events ENABLE TRIGGER events_no_update_delete")
                }
            }
            let batch = try await log.readBatch(after: 0)
            #expect(batch.count == events.count)
            for e in batch {
                if e.position == victim || e.position == 8 {
                    do {
                        _ = try e.payload()
                        Issue.record("corrupt payload at \(e.position) decoded")
                    } catch let err as EventLogError {
                        #expect(err.code == .corruptPayload)
                        #expect(err.position == e.position)
                        #expect(err.description.contains("position \(e.position)"))
                    }
                } else {
                    #expect(try e.json()["account_id"] != nil)
                }
            }
        }
    }
}
