import ArgumentParser
import CanonicalJSON
import EventLog
import Foundation
import Postgres
import ProviderSamples

/// `finsync bench eventlog`: append, read+decode and compression figures for the log,
/// against a plain-COPY baseline of the same rows measured in the same run.
struct EventLogBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eventlog", abstract: "Benchmark the event log (append, read+decode, compression) against plain COPY.")

    @OptionGroup var database: SettingsOptions
    @Option(help: "Number of events to generate.") var events = 1_000_000
    @Option(help: "Events per append.") var batchSize = 1000

    func validate() throws {
        try NumericOption.require("--events", events, atLeast: 1)
        try NumericOption.require("--batch-size", batchSize, atLeast: 1)
    }
    @Option(help: "Scratch database to (re)create on the same server.") var scratchDatabase = "finsync_bench_eventlog"
    @Flag(help: "Print one JSON object.") var json = false
    @Flag(help: "Only read and decode the log left in the scratch database by a previous run (for profiling reads).") var readOnly = false

    func run() async throws {
        if readOnly { return try await readExisting() }
        let settings = try database.resolve()
        let config = try await BenchDatabase.fresh(scratchDatabase, server: settings.database.configuration, owner: settings.ownerDatabase.configuration)
        let conn = try await PostgresConnection.connect(config)
        defer { conn.close() }
        let log = EventLog(connection: conn)
        try await conn.withSession { s in
            _ = try s.execute("CREATE TABLE public.copy_baseline (LIKE eventlog.events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)")
        }
        if !json { print("generating and appending \(events) events in batches of \(batchSize)…") }

        // Append, stream by stream, in batches; only the append calls are timed.
        var appendClock = Stopwatch()
        var copyClock = Stopwatch()
        var buffers: [String: [NewEvent]] = [:]
        var generated = 0
        var rawBytes = 0
        var copyPosition: Int64 = 0
        var copyVersions: [String: Int64] = [:]
        func flush(_ stream: String, _ batch: [NewEvent]) async throws {
            _ = try await appendClock.measure { try await log.append(batch, to: stream, expectedVersion: .any) }
            // Baseline: the same rows, uncompressed, by plain COPY in its own transaction.
            var w = CopyBinaryWriter()
            var version = copyVersions[stream, default: 0]
            for e in batch {
                copyPosition += 1; version += 1
                w.beginRow(fieldCount: 16)
                w.append(int64: copyPosition); w.append(text: stream); w.append(int64: version); w.append(uuid: e.eventID)
                w.append(bytea: ContentKey(stream: stream, type: e.type, canonicalPayload: e.payload).bytes)
                w.append(text: e.type.name); w.append(int16: Int16(e.type.version)); w.appendNull(); w.append(uuid: e.correlationID)
                w.append(timestamp: e.occurredAt); w.append(timestamp: Date()); w.append(jsonb: e.metadata.canonicalBytes)
                w.append(int16: 0); w.appendNull(); w.append(int32: Int32(e.payload.count)); w.append(bytea: e.payload)
            }
            copyVersions[stream] = version
            let writer = w
            _ = try await copyClock.measure {
                try await conn.withSession { s in
                    _ = try s.copyIn("COPY public.copy_baseline (position, stream_id, stream_version, event_id, content_key, event_type, schema_version, causation_id, correlation_id, occurred_at, recorded_at, metadata, codec, dictionary_id, raw_size, payload) FROM STDIN (FORMAT binary)", writer)
                }
            }
        }
        let run = UUIDv7.make()
        for sample in HouseholdLog() {
            guard generated < events else { break }
            generated += 1
            let e = NewEvent(type: EventType(sample.type), json: sample.payload, occurredAt: sample.occurredAt, correlationID: run, metadata: ["run_id": .string(run.uuidString.lowercased())])
            rawBytes += e.payload.count
            buffers[sample.stream, default: []].append(e)
            if buffers[sample.stream]!.count == batchSize {
                try await flush(sample.stream, buffers.removeValue(forKey: sample.stream)!)
            }
        }
        for (stream, batch) in buffers.sorted(by: { $0.key < $1.key }) { try await flush(stream, batch) }

        // Read + decode the whole log with bounded memory.
        ProcessMemory.resetPeak()
        var readClock = Stopwatch()
        var read = 0
        var decodedBytes = 0
        try await readClock.measure {
            for try await batch in log.events(after: 0) {
                for e in batch { decodedBytes += try e.payload().count }
                read += batch.count
            }
        }
        let readPeak = ProcessMemory.peakRSSMiB()
        guard read == generated, decodedBytes == rawBytes else {
            throw ValidationError("read back \(read) events / \(decodedBytes) bytes, expected \(generated) / \(rawBytes)")
        }
        let stats = try await log.stats()
        let appendRate = Double(generated) / appendClock.seconds
        let copyRate = Double(generated) / copyClock.seconds
        let readRate = Double(read) / readClock.seconds
        let result: JSONValue = [
            "events": .number(String(generated)),
            "batch_size": .number(String(batchSize)),
            "append_events_per_s": .number(String(format: "%.0f", appendRate)),
            "copy_baseline_events_per_s": .number(String(format: "%.0f", copyRate)),
            "append_vs_copy": .number(String(format: "%.3f", appendRate / copyRate)),
            "read_events_per_s": .number(String(format: "%.0f", readRate)),
            "raw_bytes": .number(String(stats.rawBytes)),
            "stored_bytes": .number(String(stats.storedBytes)),
            "compression_ratio": .number(String(format: "%.3f", stats.ratio)),
            "dictionaries": .number(String(stats.dictionaries)),
            "peak_rss_mb": .number(String(format: "%.1f", readPeak)),
            "peak_rss_mb_whole_run": .number(String(format: "%.1f", ProcessMemory.peakRSSMiB())),
        ]
        if json { print(result.canonicalString); return }
        print("""
            events:            \(generated) (batches of \(batchSize))
            append:            \(Int(appendRate)) events/s
            plain COPY:        \(Int(copyRate)) events/s  (append/copy = \(String(format: "%.2f", appendRate / copyRate)))
            read + decode:     \(Int(readRate)) events/s
            payload:           \(stats.rawBytes) B raw → \(stats.storedBytes) B stored (ratio \(String(format: "%.2f", stats.ratio))×, \(stats.dictionaries) dictionaries)
            peak RSS (read):   \(String(format: "%.1f", readPeak)) MiB
            """)
    }

    func readExisting() async throws {
        let conn = try await PostgresConnection.connect(BenchDatabase.retarget(try database.resolve().database.configuration, to: scratchDatabase))
        defer { conn.close() }
        let log = EventLog(connection: conn)
        ProcessMemory.resetPeak()
        var clock = Stopwatch()
        var read = 0
        try await clock.measure {
            for try await batch in log.events(after: 0) {
                for e in batch { _ = try e.payload() }
                read += batch.count
            }
        }
        print("read + decode: \(read) events, \(Int(Double(read) / clock.seconds)) events/s, peak RSS \(String(format: "%.1f", ProcessMemory.peakRSSMiB())) MiB")
    }
}
