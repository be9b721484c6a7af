import Postgres

/// The rows that say where a target stands — its checkpoint in `projections.checkpoints`
/// and its parked events in `projections.parked_events` — which always move, and go,
/// together: a rebuild's swap hands the shadow's to the live schema, dropping a shadow or a
/// replay's scratch schema forgets them. The one home of those statements.
public enum TargetRecord {
    /// Forgets the checkpoints and parked events of `schema` (of one projection, or of all).
    public static func delete(projection: String? = nil, schema: String, session s: PostgresSession) throws {
        for table in ["projections.checkpoints", "projections.parked_events"] {
            _ = try s.query("DELETE FROM \(table) WHERE ($1::text IS NULL OR projection = $1) AND target_schema = $2",
                            [PostgresParameter(projection), .text(schema)])
        }
    }

    /// Moves a projection's checkpoint and parked events from one target schema to another
    /// (which must have none). With `clearingError`, the moved checkpoint's error is cleared.
    public static func move(projection: String, from: String, to: String, clearingError: Bool = false, session s: PostgresSession) throws {
        let clear = clearingError ? ", updated_at = now(), last_error = NULL, error_position = NULL, error_event_type = NULL" : ""
        _ = try s.query("UPDATE projections.checkpoints SET target_schema = $3\(clear) WHERE projection = $1 AND target_schema = $2",
                        [.text(projection), .text(from), .text(to)])
        _ = try s.query("UPDATE projections.parked_events SET target_schema = $3 WHERE projection = $1 AND target_schema = $2",
                        [.text(projection), .text(from), .text(to)])
    }
}
