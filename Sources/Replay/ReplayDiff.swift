import EventLog
import Postgres
import Projections

/// `replay diff`: the projections at two points, replayed into scratch schemas, compared
/// table by table.
public struct ReplayDiff: Sendable {
    public let replay: PointInTimeReplay

    public init(replay: PointInTimeReplay) { self.replay = replay }

    public struct Result: Sendable {
        public var from: Int64
        public var to: Int64
        public var tables: [TableDiff]
    }

    /// Replays `projections` (all when empty; only the owner of `table` when given) at both
    /// points and compares them. The scratch schemas are dropped unless `keepSchemas`.
    public func diff(_ projections: [any Projection] = [], from: ReplayPoint, to: ReplayPoint, table: String? = nil,
                     options: ReplayOptions = ReplayOptions(), keepSchemas: Bool = false) async throws -> Result {
        var chosen = projections.isEmpty ? ProjectionCatalog.all : projections
        if let table {
            guard let owner = ProjectionCatalog.all.first(where: { $0.tables.contains(table) }) else {
                throw ReplayError(code: .unknownTable, message: "no projection owns this table; tables: \(ProjectionCatalog.all.flatMap(\.tables).joined(separator: ", "))", table: table)
            }
            chosen = [owner]
        }
        let a = try await replay.resolve(from), b = try await replay.resolve(to)
        let sa = "replay_diff_p\(a)", sb = "replay_diff_p\(b)_b"
        _ = try await replay.replay(chosen, at: .position(a), into: sa, options: options)
        _ = try await replay.replay(chosen, at: .position(b), into: sb, options: options)
        let tables = table.map { [$0] } ?? chosen.flatMap(\.tables)
        let diffs = try await replay.connection.withSession { s in
            try tables.map { try TableDiff.compare($0, from: sa, to: sb, session: s) }
        }
        if !keepSchemas {
            try await replay.drop(schema: sa)
            try await replay.drop(schema: sb)
        }
        return Result(from: a, to: b, tables: diffs)
    }
}
