import CanonicalJSON
import EventLog
import Foundation
import ProviderSamples

/// Fills a benchmark's log with the generated household history, appending each stream's
/// events in batches (as an ingestion run would), untimed.
enum BenchLog {
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
