import ArgumentParser
import CanonicalJSON
import EventLog
import Foundation
import Postgres
import Projections

/// `finsync bench rebuild`: fold a generated log into every projection from scratch, against
/// the baseline of COPYing the resulting rows straight into empty copies of the same tables.
struct RebuildBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rebuild", abstract: "Benchmark a full projection rebuild against a COPY of its resulting rows.")

    @OptionGroup var database: SettingsOptions
    @Option(help: "Number of events to generate (1,000,000 is ten years of the generated household).") var events = 1_000_000
    @OptionGroup var batch: BatchSizeOption

    func validate() throws {
        try NumericOption.require("--events", events, atLeast: 1)
        try NumericOption.require("--rules", rules, atLeast: 0)
        try NumericOption.require("--annotations", annotations, atLeast: 0)
    }
    var batchSize: Int { batch.batchSize }
    @OptionGroup var concurrency: ParallelOption
    var parallel: Int { concurrency.parallel }
    @Option(help: "Scratch database to (re)create on the same server.") var scratchDatabase = "finsync_bench_rebuild"
    @Flag(help: "Print one JSON object.") var json = false
    @Option(help: "Then append this many rules and rebuild again (compared with the rebuild without them).") var rules = 0
    @Option(help: "Then append this many annotation events (tags, categories, notes) and rebuild again.") var annotations = 0

    func run() async throws {
        let settings = try database.resolve()
        let (config, conn, log, filled) = try await BenchLog.scratch(scratchDatabase, settings: settings, events: events, quiet: json)
        defer { conn.close() }

        // Rebuild: every projection from position 0 into fresh schemas.
        let targets = ProjectionCatalog.all.map { ProjectionTarget($0, schema: $0.liveSchema == "analytics" ? "bench_analytics" : "bench_main") }
        if !json { print("rebuilding \(targets.count) projections…") }
        ProcessMemory.resetPeak()
        let cpuBefore = ProcessMemory.cpuSeconds()
        let workers = try await PostgresConnection.connect(config, count: parallel - 1)
        defer { workers.forEach { $0.close() } }
        var rebuildClock = Stopwatch()
        let runner = ProjectionRunner(connection: conn, dictionaries: log.dictionaries, workers: workers)
        let results = try await rebuildClock.measure { try await runner.catchUp(targets, batchSize: batchSize) }
        let peak = ProcessMemory.peakRSSMiB()
        let clientCPU = ProcessMemory.cpuSeconds() - cpuBefore
        guard results.allSatisfy({ $0.outcome == .caughtUp }) else {
            throw ValidationError("rebuild did not complete: \(results.map { "\($0.projection): \($0.outcome) \($0.error.map { "\($0)" } ?? "")" })")
        }

        // Baseline: COPY the same rows into empty tables of the same shape.
        let tables: [(schema: String, table: String)] = targets.flatMap { t in t.projection.tables.map { (t.schema, $0) } }
        let (copySeconds, rows) = try await CopyBaseline.measure(tables, config: config)

        // With user events: the same log plus rules and annotations, rebuilt into fresh schemas.
        var withAnnotations: (seconds: Double, events: Int)? = nil
        if rules > 0 || annotations > 0 {
            let added = try await BenchAnnotations.append(rules: rules, annotations: annotations, transactionsIn: "bench_main", log: log, connection: conn)
            if !json { print("appended \(added) user events (\(rules) rules, \(annotations) annotations); rebuilding again…") }
            let again = ProjectionCatalog.all.map { ProjectionTarget($0, schema: $0.liveSchema == "analytics" ? "bench_analytics_annotated" : "bench_main_annotated") }
            var clock = Stopwatch()
            let r = try await clock.measure { try await runner.catchUp(again, batchSize: batchSize) }
            guard r.allSatisfy({ $0.outcome == .caughtUp }) else {
                throw ValidationError("rebuild with annotations did not complete: \(r.map { "\($0.projection): \($0.outcome) \($0.error.map { "\($0)" } ?? "")" })")
            }
            withAnnotations = (clock.seconds, added)
        }

        let rate = Double(filled.events) / rebuildClock.seconds
        var result: JSONValue = [
            "events": .number(String(filled.events)),
            "batch_size": .number(String(batchSize)),
            "parallel_connections": .number(String(parallel)),
            "rows_written": .number(String(rows)),
            "rebuild_seconds": .number(String(format: "%.3f", rebuildClock.seconds)),
            "rebuild_events_per_s": .number(String(format: "%.0f", rate)),
            "copy_baseline_seconds": .number(String(format: "%.3f", copySeconds)),
            "rebuild_vs_copy": .number(String(format: "%.3f", copySeconds / rebuildClock.seconds)),
            "peak_rss_mb": .number(String(format: "%.1f", peak)),
            "client_cpu_seconds": .number(String(format: "%.3f", clientCPU)),
        ]
        if let withAnnotations, case .object(var o) = result {
            o["rules"] = .number(String(rules))
            o["annotations"] = .number(String(annotations))
            o["rebuild_with_annotations_seconds"] = .number(String(format: "%.3f", withAnnotations.seconds))
            o["with_vs_without"] = .number(String(format: "%.3f", withAnnotations.seconds / rebuildClock.seconds))
            result = .object(o)
        }
        if json { print(result.canonicalString); return }
        print("""
            events:          \(filled.events)  →  \(rows) rows in \(tables.count) tables
            rebuild:         \(String(format: "%.2f", rebuildClock.seconds)) s  (\(Int(rate)) events/s, batches of \(batchSize))
            COPY baseline:   \(String(format: "%.2f", copySeconds)) s  (copy/rebuild = \(String(format: "%.2f", copySeconds / rebuildClock.seconds)))
            peak RSS:        \(String(format: "%.1f", peak)) MiB (during the rebuild); finsync's own CPU: \(String(format: "%.2f", clientCPU)) s
            """)
        if let withAnnotations {
            print("""
                with \(rules) rules and \(annotations) annotations (+\(withAnnotations.events) events): \(String(format: "%.2f", withAnnotations.seconds)) s \
                (\(String(format: "%.2f", withAnnotations.seconds / rebuildClock.seconds))× the \(String(format: "%.2f", rebuildClock.seconds)) s without)
                """)
        }
    }
}
