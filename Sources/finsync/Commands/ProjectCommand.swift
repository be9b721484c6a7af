import ArgumentParser
import EventLog
import Foundation
import Postgres
import Projections
import Replay

struct ProjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "project", abstract: "Catch every projection up with the event log (once, or --follow).")

    @OptionGroup var database: SettingsOptions
    @Flag(help: "Keep catching up, woken by NOTIFY when events are appended (polling every --poll seconds as a fallback).") var follow = false
    @Option(help: "Poll interval in seconds for --follow (at least 1).") var poll: Int = 5
    @OptionGroup var batch: BatchSizeOption
    var batchSize: Int { batch.batchSize }
    @OptionGroup var concurrency: ParallelOption
    var parallel: Int { concurrency.parallel }
    @OptionGroup var snapshots: SnapshotOptions

    func validate() throws { try NumericOption.require("--poll", poll, atLeast: 1) }

    func run() async throws {
        let settings = try database.resolve()
        let conn = try await settings.connect()
        defer { conn.close() }
        let workers = try await settings.connectWorkers(parallel - 1)
        defer { workers.forEach { $0.close() } }
        let runner = ProjectionRunner(connection: conn, workers: workers)
        let targets = ProjectionCatalog.liveTargets
        let batchSize = self.batchSize
        let catchUp = FoldDriver(runner: runner, batchSize: batchSize, snapshots: snapshots.policy)
        if follow {
            let stop = ShutdownSignal()
            let follower = ProjectionFollower(runner: runner, pollInterval: .seconds(poll), batchSize: batchSize, snapshots: snapshots.policy) { results in
                for r in results where r.eventsApplied > 0 || r.outcome != .caughtUp { print(ProjectCommand.describe(r)) }
                fflush(nil)
            }
            try await follower.run(shouldStop: { stop.requested })
            return
        }
        let results = try await catchUp.fold(targets).results
        for r in results { print(ProjectCommand.describe(r)) }
        if results.contains(where: { $0.outcome == .failed }) { throw ExitCode(1) }
    }

    static func describe(_ r: CatchUpResult) -> String {
        let head = "\(r.projection) (\(r.schema)): "
        switch r.outcome {
        case .caughtUp: return head + "at position \(r.position), applied \(r.eventsApplied) events"
        case .busy: return head + "another runner is folding it; skipped"
        case .needsRebuild(let v): return head + "built by version \(v) of its code; run `finsync rebuild \(r.projection)`"
        case .failed: return head + "stopped at position \(r.position): \(r.error.map { "\($0)" } ?? "unknown error")"
        }
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Each projection's checkpoint, lag, version, last error and parked events.")

    @OptionGroup var database: SettingsOptions

    func run() async throws {
        let settings = try database.resolve()
        let conn = try await settings.connect()
        defer { conn.close() }
        let status = try await ProjectionRunner(connection: conn).status(ProjectionCatalog.liveTargets)
        print("projection".padding(toLength: 18, withPad: " ", startingAt: 0) + "schema".padding(toLength: 12, withPad: " ", startingAt: 0) + "position".leftPadded(10) + "lag".leftPadded(10) + "  state")
        for s in status {
            var state = s.storedVersion == nil ? "never run" : (s.lag == 0 ? "caught up" : "behind")
            if s.needsRebuild { state = "needs rebuild (tables v\(s.storedVersion.map(String.init) ?? "?"), code v\(s.codeVersion))" }
            if let e = s.lastError { state = "stopped: \(e)" }
            if !s.parked.isEmpty { state += ", \(s.parked.count) event\(s.parked.count == 1 ? "" : "s") parked" }
            print(s.projection.padding(toLength: 18, withPad: " ", startingAt: 0) + s.schema.padding(toLength: 12, withPad: " ", startingAt: 0) + String(s.position).leftPadded(10) + String(s.lag).leftPadded(10) + "  " + state)
        }
        let parked = status.flatMap(\.parked)
        if !parked.isEmpty {
            print("\nparked events (set aside because they could not be applied; the projections went on past them.")
            print("Once the cause is fixed in finsync, `finsync rebuild` applies them; `finsync events show POSITION` shows one):")
            for p in parked.prefix(50) {
                print("  \(p.projection) position \(p.position) (\(p.eventType)): \(p.code): \(p.message)")
            }
            if parked.count > 50 { print("  … and \(parked.count - 50) more") }
        }
        // What a replay would start from: the newest snapshot of each projection.
        let (snapshots, bytes) = try await conn.withSession { s in (try SnapshotStore.list(session: s), try SnapshotStore.storageBytes(session: s)) }
        let current = snapshots.filter { snap in ProjectionCatalog.named(snap.projection)?.version == snap.version }
        let newest = Dictionary(grouping: current, by: \.projection).mapValues { $0.map(\.position).max() ?? 0 }
        let total = Double(current.reduce(0) { $0 + (bytes[$1.schema] ?? 0) }) / 1_048_576
        print(current.isEmpty ? "\nsnapshots: none yet (replays fold from position 0 until a fold passes --snapshot-every)"
              : "\nsnapshots: \(current.count), \(String(format: "%.0f", total)) MB; newest at " + newest.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    }
}
