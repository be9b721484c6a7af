import CanonicalJSON
import Clocks
import EventLog
import FinsyncTestSupport
import Foundation
import Ingest
import Logging
import Postgres
import Testing

/// Every provider reports through the same types: events stamped by ``RunStamp`` (the
/// endpoint without its query), health through ``ConnectionHealthSnapshot``.
@Suite("One ingest path for every provider")
struct IngestPathTests {
    @Test func everyProviderStampsItsEventsAndRecordsItsHealthTheSameWay() async throws {
        try await AllProvidersHarness.with { h in
            let run = try await h.sync()
            let streams = try await h.connection.withSession { s in
                try s.query("SELECT DISTINCT stream_id FROM eventlog.events WHERE correlation_id = $1::uuid ORDER BY 1", [.text(run.runID.uuidString.lowercased())]).rows
                    .map { try $0.decode(String.self, 0) }
            }
            let log = EventLog(connection: h.connection)
            var healthProviders = Set<String>()
            for stream in streams {
                for event in try await log.readStream(stream) where event.correlationID == run.runID {
                    let metadata = event.metadata()
                    #expect(metadata.object.map { Set($0.keys) } == ["run_id", "endpoint"], "\(stream)")
                    #expect(metadata["run_id"]?.string == run.runID.uuidString.lowercased())
                    #expect(metadata["endpoint"]?.string?.contains("?") == false, "\(stream): \(metadata)")
                    guard event.type.name == EventCatalog.connectionHealthObserved.name else { continue }
                    // Health, whoever recorded it, is the shared snapshot: same endpoint, same payload, same stream.
                    #expect(metadata["endpoint"]?.string == ConnectionHealthSnapshot.endpoint, "\(stream)")
                    let health = try #require(ConnectionHealthSnapshot(payload: try event.json()), "\(stream)")
                    #expect(health.stream == stream)
                    #expect(try event.json() == health.payload)
                    healthProviders.insert(health.provider)
                }
            }
            #expect(healthProviders == ["gocardless", "trading212", "vanguard"])
        }
    }

    @Test func aStepsEventsLeaveTheQueryOfTheirEndpointOutOfTheLog() async throws {
        try await TestDatabase.with { db in
            let conn = try await db.connect()
            defer { conn.close() }
            let run = UUIDv7.make()
            let ctx = StepContext(runID: run, sink: EventLog(connection: conn), quotas: PostgresQuotaBook(connection: conn), cursors: PostgresCursorBook(connection: conn),
                                  dryRun: false, clock: ManualClock(), logger: Logger(label: "test"))
            let event = ctx.event(EventCatalog.gocardlessPendingObserved, ["account_id": "a"], endpoint: "GET /accounts/{id}/transactions/?date_from=2026-01-01&date_to=2026-01-02")
            #expect(event.metadata == ["run_id": .string(run.uuidString.lowercased()), "endpoint": "GET /accounts/{id}/transactions/"])
            #expect(event.correlationID == run)
        }
    }
}
