import ArgumentParser
import Foundation
import Postgres
import Projections
import Replay

/// `finsync rebuild [PROJECTION…]`: zero-downtime rebuild through a shadow schema.
struct RebuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rebuild projections from position 0 in a shadow schema, then swap them in atomically (live tables keep serving).",
        discussion: """
            Without names, rebuilds every projection (with --stale, only those `finsync status` reports as needing a rebuild).
            Each named projection is rebuilt with its dependants. Interrupting (Ctrl-C, kill) leaves the live tables untouched;
            running it again resumes from the shadow's checkpoint (--restart starts over, --abandon drops the shadow).
            """
    )

    @OptionGroup var database: SettingsOptions
    @Argument(help: "Projections to rebuild (default: all).") var projections: [String] = []
    @Flag(help: "Only the projections whose code version differs from their tables' (and their dependants).") var stale = false
    @Flag(help: "Keep the replaced tables in a retired_<projection>_<time> schema instead of dropping them.") var keepOld = false
    @Flag(help: "Drop any existing shadow and start from position 0.") var restart = false
    @Flag(help: "Drop the shadows of these projections and stop (abandon an interrupted rebuild).") var abandon = false
    @OptionGroup var batch: BatchSizeOption
    var batchSize: Int { batch.batchSize }
    @OptionGroup var snapshots: SnapshotOptions
    @OptionGroup var concurrency: ParallelOption
    var parallel: Int { concurrency.parallel }

    func run() async throws {
        let settings = try database.resolve()
        let conn = try await settings.connect()
        defer { conn.close() }
        let workers = try await settings.connectWorkers(parallel - 1)
        defer { workers.forEach { $0.close() } }
        let rebuilder = ProjectionRebuilder(connection: conn, workers: workers)
        let chosen = stale ? try await rebuilder.stale() : try ProjectionRebuilder.selection(projections)
        if chosen.isEmpty { print("nothing to rebuild"); return }
        if abandon {
            try await rebuilder.abandon(chosen)
            print("dropped the shadows of \(chosen.map(\.name).joined(separator: ", "))")
            return
        }
        var options = RebuildOptions()
        options.batchSize = batchSize
        options.keepOld = keepOld
        options.restart = restart
        options.snapshots = snapshots.policy
        let stop = ShutdownSignal()
        let line = ProgressLine("rebuild \(chosen.map(\.name).joined(separator: ","))")
        do {
            let r = try await rebuilder.rebuild(chosen, options: options, shouldContinue: { !stop.requested }, onProgress: line.update)
            line.finish()
            print("rebuilt \(r.projections.joined(separator: ", ")) to position \(r.position): \(r.eventsFolded) events in \(String(format: "%.1f", r.seconds)) s (\(String(format: "%.0f", Double(r.eventsFolded) / max(r.seconds, 0.001))) events/s); swapped in")
            for (p, schema) in r.retiredSchemas.sorted(by: { $0.key < $1.key }) { print("  old \(p) tables kept in schema \(schema)") }
        } catch let e as ReplayError where e.code == .cancelled {
            line.finish()
            print("interrupted: \(e.message)")
            throw ExitCode(130)
        }
    }
}
