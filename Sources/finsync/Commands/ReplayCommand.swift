import ArgumentParser
import Foundation
import Postgres
import Projections
import Replay

/// `finsync replay`: point-in-time state in scratch schemas, and diffs between points.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Build projections as of a point of the log into a scratch schema; drop it; diff two points.",
        subcommands: [ReplayAtCommand.self, ReplayDropCommand.self, ReplayDiffCommand.self, ReplaySnapshotsCommand.self],
        defaultSubcommand: ReplayAtCommand.self
    )

    /// A point given on the command line, refused as a usage error (before connecting)
    /// with what is accepted when it is neither a position nor a valid time.
    static func point(_ text: String, option: String) throws -> ReplayPoint {
        do { return try ReplayPoint(parsing: text) } catch let e as ReplayError {
            throw ValidationError("\(option): \(e.message)")
        }
    }

    static func projections(_ names: [String]) throws -> [any Projection] {
        try names.map { n in
            guard let p = ProjectionCatalog.named(n) else {
                throw ValidationError("no projection named \(n); known: \(ProjectionCatalog.all.map(\.name).joined(separator: ", "))")
            }
            return p
        }
    }
}

struct ReplayAtCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "at", abstract: "Build the projections as of --at POSITION|TIMESTAMP into a scratch schema.")

    @OptionGroup var database: SettingsOptions
    @Option(help: "A log position, or an ISO-8601 time (everything recorded at or before it).") var at: String
    @Option(help: "Scratch schema (default: replay_p<position>).") var into: String?
    @Argument(help: "Projections (default: all).") var projections: [String] = []
    @Flag(help: "Fold from position 0, ignoring (and not taking) snapshots.") var noSnapshots = false
    @OptionGroup var snapshots: SnapshotOptions
    @OptionGroup var batch: BatchSizeOption
    var batchSize: Int { batch.batchSize }
    @OptionGroup var concurrency: ParallelOption
    var parallel: Int { concurrency.parallel }

    func validate() throws { _ = try ReplayCommand.point(at, option: "--at") }

    func run() async throws {
        let settings = try database.resolve()
        let conn = try await settings.connect()
        defer { conn.close() }
        let workers = try await settings.connectWorkers(parallel - 1)
        defer { workers.forEach { $0.close() } }
        var options = ReplayOptions()
        options.useSnapshots = !noSnapshots
        options.snapshots = snapshots.policy
        options.batchSize = batchSize
        let line = ProgressLine("replay")
        let r = try await PointInTimeReplay(connection: conn, workers: workers).replay(try ReplayCommand.projections(projections), at: try ReplayCommand.point(at, option: "--at"), into: into,
                                                                     options: options, onProgress: line.update)
        line.finish()
        let from = r.startedFrom.sorted(by: { $0.key < $1.key }).map { "\($0.key) from \($0.value == 0 ? "position 0" : "snapshot at \($0.value)")" }.joined(separator: ", ")
        print("replayed \(r.projections.joined(separator: ", ")) to position \(r.position) into schema \(r.schema) in \(String(format: "%.2f", r.seconds)) s (\(from); \(String(format: "%.2f", r.restoreSeconds)) s preparing and restoring, \(String(format: "%.2f", r.seconds - r.restoreSeconds)) s folding \(r.eventsFolded) events)")
        print("query it with e.g.: SELECT * FROM \(r.schema).\(ProjectionCatalog.named(r.projections[0])?.tables.first ?? "accounts") LIMIT 10;")
    }
}

struct ReplayDropCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "drop", abstract: "Drop a scratch schema made by `finsync replay`.")

    @OptionGroup var database: SettingsOptions
    @Argument(help: "The scratch schema.") var schema: String

    func run() async throws {
        let settings = try database.resolve()
        let conn = try await settings.connect()
        defer { conn.close() }
        try await PointInTimeReplay(connection: conn).drop(schema: schema)
        print("dropped \(schema)")
    }
}

struct ReplayDiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diff", abstract: "Rows added, removed and changed (column by column) between two points of the log.")

    @OptionGroup var database: SettingsOptions
    @Option(help: "The earlier point: a position or an ISO-8601 time.") var from: String
    @Option(help: "The later point: a position or an ISO-8601 time.") var to: String
    @Option(help: "Only this table.") var table: String?
    @Argument(help: "Projections (default: all, or the owner of --table).") var projections: [String] = []
    @Flag(help: "Keep the two scratch schemas.") var keep = false
    @Option(help: "Show at most this many rows per table and kind.") var limit = 50

    func validate() throws {
        try NumericOption.require("--limit", limit, atLeast: 1)
        _ = try ReplayCommand.point(from, option: "--from")
        _ = try ReplayCommand.point(to, option: "--to")
    }

    func run() async throws {
        let settings = try database.resolve()
        let conn = try await settings.connect()
        defer { conn.close() }
        let diff = ReplayDiff(replay: PointInTimeReplay(connection: conn))
        let r = try await diff.diff(try ReplayCommand.projections(projections), from: try ReplayCommand.point(from, option: "--from"), to: try ReplayCommand.point(to, option: "--to"),
                                    table: table, keepSchemas: keep)
        print("diff from position \(r.from) to position \(r.to)")
        for t in r.tables {
            print("\n\(t.table): \(t.added.count) added, \(t.removed.count) removed, \(t.changed.count) changed")
            for kind in [RowDifference.Kind.added, .removed, .changed] {
                let rows = t.differences.filter { $0.kind == kind }
                for d in rows.prefix(limit) {
                    let sign = kind == .added ? "+" : (kind == .removed ? "-" : "~")
                    print("  \(sign) \(d.keyText)")
                    if kind == .changed {
                        for c in d.columns { print("      \(c.column): \(c.from ?? "NULL") → \(c.to ?? "NULL")") }
                    }
                }
                if rows.count > limit { print("  … \(rows.count - limit) more \(kind.rawValue)") }
            }
        }
    }
}

struct ReplaySnapshotsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "snapshots", abstract: "List the snapshots replays start from, or drop them (--drop).")

    @OptionGroup var database: SettingsOptions
    @Argument(help: "Only this projection's snapshots.") var projection: String?
    @Flag(help: "Drop them (all versions) instead of listing them.") var drop = false

    func run() async throws {
        let settings = try database.resolve()
        let conn = try await settings.connect()
        defer { conn.close() }
        let projection = self.projection
        if drop {
            try await conn.withSession { s in try SnapshotStore.drop(projection: projection, session: s) }
            print("dropped the snapshots of \(projection ?? "every projection")")
            return
        }
        let (snaps, bytes, emptied) = try await conn.withSession { s in
            let snaps = try SnapshotStore.list(session: s).filter { projection == nil || $0.projection == projection }
            let broken = try snaps.filter { snap in
                guard let p = ProjectionCatalog.named(snap.projection) else { return false }
                return try !SnapshotStore.isIntact(snap, of: p, session: s)
            }
            return (snaps, try SnapshotStore.storageBytes(session: s), Set(broken.map(\.schema)))
        }
        func mb(_ b: Int64) -> String { String(format: "%.1f MB", Double(b) / 1_048_576) }
        for s in snaps {
            let note = emptied.contains(s.schema) ? " — emptied by a server crash (unlogged) or missing a table; dropped or re-taken when next reached" : ""
            print("\(s.projection) v\(s.version) at position \(s.position): \(s.rowCount) rows, \(mb(bytes[s.schema] ?? 0)) in schema \(s.schema)\(note)")
        }
        if snaps.isEmpty { print("no snapshots") } else { print("\(snaps.count) snapshots, \(mb(snaps.reduce(0) { $0 + (bytes[$1.schema] ?? 0) })) in all") }
    }
}
