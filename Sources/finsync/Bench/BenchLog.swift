import CanonicalJSON
import EventLog
import Foundation
import Ingest
import Postgres
import ProviderSamples

/// Fills a benchmark's log with the generated household history, appending each stream's
/// events in batches (as an ingestion run would), untimed.
enum BenchLog {
    /// A fresh scratch database (`BenchDatabase.fresh`) holding `events` generated events:
    /// its runtime configuration, an open connection (the caller closes it) and the log.
    static func scratch(_ name: String, settings: FinsyncSettings, events: Int, quiet: Bool) async throws
        -> (config: PostgresConfiguration, connection: PostgresConnection, log: EventLog, filled: (events: Int, rawBytes: Int)) {
        let config = try await BenchDatabase.fresh(name, server: settings.database.configuration, owner: settings.ownerDatabase.configuration)
        let conn = try await PostgresConnection.connect(config)
        let log = EventLog(connection: conn)
        if !quiet { print("generating and appending \(events) events…") }
        do {
            return (config, conn, log, try await fill(log, events: events))
        } catch {
            conn.close()
            throw error
        }
    }

    static func fill(_ log: EventLog, events: Int, batchSize: Int = 1000) async throws -> (events: Int, rawBytes: Int) {
        var buffers: [String: [NewEvent]] = [:]
        var generated = 0, raw = 0
        let run = UUIDv7.make()
        for sample in HouseholdLog() {
            guard generated < events else { break }
            generated += 1
            let e = NewEvent(type: EventType(sample.type), json: sample.payload, occurredAt: sample.occurredAt, correlationID: run, metadata: ["run_id": .string(run.uuidString.lowercased())])
            raw += e.payload.count
            buffers[sample.stream, default: []].append(e)
            if buffers[sample.stream]!.count == batchSize {
                _ = try await log.append(buffers.removeValue(forKey: sample.stream)!, to: sample.stream)
            }
        }
        for (stream, batch) in buffers.sorted(by: { $0.key < $1.key }) { _ = try await log.append(batch, to: stream) }
        return (generated, raw)
    }
}
