import EventLog
import Postgres

/// Where a projection stands (`finsync status`).
public struct ProjectionStatus: Sendable {
    public var projection: String
    public var schema: String
    public var codeVersion: Int
    /// The version that built the tables, nil when never run.
    public var storedVersion: Int?
    public var position: Int64
    public var head: Int64
    public var lastError: String?
    public var errorPosition: Int64?
    /// The events this target has parked (could not apply and went on past), oldest first.
    public var parked: [ParkedEvent] = []

    public var lag: Int64 { max(0, head - position) }
    public var needsRebuild: Bool { storedVersion.map { $0 != codeVersion } ?? false }
}

extension ProjectionRunner {
    public func status(_ targets: [ProjectionTarget]) async throws -> [ProjectionStatus] {
        try await connection.withSession { s in
            let head = try EventLog.headPosition(session: s)
            return try targets.map { t in
                let r = try s.query("SELECT version, position, last_error, error_position FROM projections.checkpoints WHERE projection = $1 AND target_schema = $2",
                                    [.text(t.projection.name), .text(t.schema)])
                let row = r.count == 1 ? r[0] : nil
                return ProjectionStatus(projection: t.projection.name, schema: t.schema, codeVersion: t.projection.version,
                                        storedVersion: row?.int(0), position: row?.int64(1) ?? 0, head: head,
                                        lastError: row?.string(2), errorPosition: row?.int64(3),
                                        parked: try ParkedEvent.list(projection: t.projection.name, schema: t.schema, session: s))
            }
        }
    }
}
