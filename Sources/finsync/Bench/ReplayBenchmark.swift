import ArgumentParser
import CanonicalJSON
import EventLog
import Foundation
import Postgres
import Projections
import ProviderSamples
import Replay

/// `finsync bench replay`: full rebuild throughput against a COPY baseline of the rows it
/// produces, and point-in-time replay latency with and without snapshots, on a generated log.
struct ReplayBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "replay", abstract: "Benchmark rebuilds (vs COPY of the resulting rows) and point-in-time replays (with and without snapshots).")

    @OptionGroup var database: SettingsOptions
    @Option(help: "Number of events to generate.") var events = 1_000_000
    @Option(help: "Events per append.") var appendBatch = 1000

    func validate() throws {
        try NumericOption.require("--events", events, atLeast: 1)
        try NumericOption.require("--append-batch", appendBatch, atLeast: 1)
    }
    @OptionGroup var batch: BatchSizeOption
    var batchSize: Int { batch.batchSize }
    @OptionGroup var snapshots: SnapshotOptions
    @OptionGroup var concurrency: ParallelOption
    var parallel: Int { concurrency.parallel }
    @Option(help: "Scratch database to (re)create on the same server.") var scratchDatabase = "finsync_bench_replay"
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        let settings = try database.resolve()
        let config = try await BenchDatabase.fresh(scratchDatabase, server: settings.database.configuration, owner: settings.ownerDatabase.configuration)
        let conn = try await PostgresConnection.connect(config)
        defer { conn.close() }
        let log = EventLog(connection: conn)
        func say(_ s: String) { if !json { print(s) } }

        say("generating and appending \(events) events in per-stream batches of \(appendBatch)…")
        _ = try await BenchLog.fill(log, events: events, batchSize: appendBatch)
        let head = try await log.headPosition()
        do { // only the log's owner may vacuum it
            let owner = try await PostgresConnection.connect(BenchDatabase.retarget(settings.ownerDatabase.configuration, to: scratchDatabase))
            defer { owner.close() }
            try await owner.withSession { s in _ = try s.execute("VACUUM ANALYZE eventlog.events") }
        }

        let workers = try await PostgresConnection.connect(config, count: parallel - 1)
        defer { workers.forEach { $0.close() } }

        // Full rebuild (shadow fold, snapshots every N, swap).
        ProcessMemory.resetPeak()
        say("rebuilding every projection from position 0…")
        var options = RebuildOptions()
        options.batchSize = batchSize
        options.snapshots = snapshots.policy
        let line = ProgressLine("rebuild", force: false)
        let rebuilt = try await ProjectionRebuilder(connection: conn, dictionaries: log.dictionaries, workers: workers).rebuild(ProjectionCatalog.all, options: options, onProgress: json ? nil : line.update)
        if !json { line.finish() }
        let rebuildRate = Double(rebuilt.eventsFolded) / rebuilt.seconds
        let (snapshotCount, snapshotMB) = try await conn.withSession { s in
            (try SnapshotStore.list(session: s).count, Double(try SnapshotStore.storageBytes(session: s).values.reduce(0, +)) / 1_048_576)
        }

        // Baseline: COPY the resulting rows into empty copies of the same tables (only COPY is timed).
        say("COPY baseline of the resulting rows…")
        let (copySeconds, rows) = try await CopyBaseline.measure(ProjectionCatalog.all.flatMap { p in p.tables.map { (p.liveSchema, $0) } }, config: config)

        // Replay to 10%, 50%, 99% of the log, with the rebuild's snapshots and without.
        let points: [(String, Int64)] = [("p10", head / 10), ("p50", head / 2), ("p99", head * 99 / 100)]
        let replay = PointInTimeReplay(connection: conn, dictionaries: log.dictionaries, workers: workers)
        var with: [String: Double] = [:], without: [String: Double] = [:], restore: [String: Double] = [:], tail: [String: Double] = [:]
        for (name, p) in points {
            var o = ReplayOptions()
            o.batchSize = batchSize
            o.snapshots = snapshots.policy
            let r = try await replay.replay(at: .position(p), into: "bench_replay", options: o)
            (with[name], restore[name], tail[name]) = (r.seconds, r.restoreSeconds, Double(r.eventsFolded))
            o.useSnapshots = false
            without[name] = try await replay.replay(at: .position(p), into: "bench_replay", options: o).seconds
            say("  replay to \(name) (position \(p)): \(String(format: "%.2f", with[name]!)) s with snapshots (\(String(format: "%.2f", restore[name]!)) s restoring, then \(Int(tail[name]!)) events), \(String(format: "%.2f", without[name]!)) s without")
        }
        try await replay.drop(schema: "bench_replay")
        let peak = ProcessMemory.peakRSSMiB()

        func obj(_ d: [String: Double], digits: Int = 3) -> JSONValue { .object(d.mapValues { .number(String(format: "%.\(digits)f", $0)) }) }
        let result: JSONValue = [
            "events": .number(String(head)),
            "batch_size": .number(String(batchSize)),
            "snapshot_every": .number(String(snapshots.snapshotEvery)),
            "snapshots_kept": .number(String(snapshots.keepSnapshots)),
            "snapshots": .number(String(snapshotCount)),
            "snapshot_mb": .number(String(format: "%.1f", snapshotMB)),
            "parallel_connections": .number(String(parallel)),
            "rebuild_seconds": .number(String(format: "%.3f", rebuilt.seconds)),
            "rebuild_events_per_s": .number(String(format: "%.0f", rebuildRate)),
            "result_rows": .number(String(rows)),
            "copy_baseline_seconds": .number(String(format: "%.3f", copySeconds)),
            "rebuild_vs_copy": .number(String(format: "%.4f", copySeconds / rebuilt.seconds)),
            "replay_seconds": obj(with),
            "replay_seconds_no_snapshots": obj(without),
            // Where the time with snapshots went: restoring them, and how many events the tail folded.
            "replay_restore_seconds": obj(restore),
            "replay_tail_events": obj(tail, digits: 0),
            "peak_rss_mb": .number(String(format: "%.1f", peak)),
        ]
        if json { print(result.canonicalString); return }
        print("""
            events:              \(head)
            rebuild:             \(String(format: "%.2f", rebuilt.seconds)) s, \(Int(rebuildRate)) events/s (batches of \(batchSize), snapshots every \(snapshots.snapshotEvery), at most \(snapshots.keepSnapshots) kept)
            snapshots:           \(snapshotCount), \(String(format: "%.0f", snapshotMB)) MB
            COPY of the result:  \(rows) rows in \(String(format: "%.2f", copySeconds)) s (copy/rebuild = \(String(format: "%.3f", copySeconds / rebuilt.seconds)))
            replay p10/p50/p99:  \(["p10", "p50", "p99"].map { String(format: "%.2f", with[$0]!) }.joined(separator: " / ")) s with snapshots, \(["p10", "p50", "p99"].map { String(format: "%.2f", without[$0]!) }.joined(separator: " / ")) s without
            peak RSS:            \(String(format: "%.1f", peak)) MiB
            """)
    }
}
