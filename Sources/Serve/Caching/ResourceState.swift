import Postgres
import Projections

/// What an answer of the API depends on, read cheaply before the answer is computed: for
/// the data routes the checkpoint (version and position) of the projection behind them;
/// for the others the few rows that change them. Two reads of the same state and query
/// give the same answer, so a hash of both is a sound ETag.
enum ResourceState {
    /// The state a path depends on, or nil for paths that are not cached.
    static func sql(forPath path: String) -> String? {
        // Computed from unified's transactions and annotations, not the analytics tables.
        if path == "/v1/analytics/spend-by-category" { return checkpoint("unified") }
        if path.hasPrefix("/v1/analytics/") { return checkpoint("analytics") }
        if path == "/v1/connections" {
            // Quotas move without events, and "days left" moves with the date.
            return "SELECT (\(checkpoint("unified"))) || '|' || current_date || '|' || coalesce((SELECT max(updated_at)::text || count(*) FROM ingest.quotas), '')"
        }
        for p in ["/v1/institutions", "/v1/accounts", "/v1/holdings", "/v1/transactions"] where path == p || path.hasPrefix(p + "/") {
            return checkpoint("unified")
        }
        if path == "/v1/runs" || path.hasPrefix("/v1/runs/") {
            return """
                SELECT (SELECT count(*) || '|' || coalesce(max(started_at)::text, '') || '|' || coalesce(max(finished_at)::text, '') FROM ingest.runs)
                    || '|' || (SELECT count(*) || '|' || coalesce(max(finished_at)::text, '') || '|' || coalesce(sum(events_appended), 0) FROM ingest.run_steps)
                """
        }
        if path == "/v1/status" {
            return """
                SELECT (SELECT last_position::text FROM eventlog.head) || '|' || coalesce((SELECT string_agg(projection || target_schema || version || ':' || position || coalesce(last_error, ''), ',' ORDER BY projection, target_schema)
                    FROM projections.checkpoints), '') || '|' || (SELECT count(*) FROM projections.parked_events)
                """
        }
        return nil
    }

    /// Runs a state statement of ``sql(forPath:)``.
    static func read(_ sql: String, in session: PostgresSession) throws -> String {
        try session.query(sql, prepare: true).rows.first?.string(0) ?? ""
    }

    /// The live checkpoint of a projection of the catalogue.
    private static func checkpoint(_ projection: String) -> String {
        let schema = ProjectionCatalog.named(projection)?.liveSchema ?? "public"
        return "SELECT coalesce((SELECT version || ':' || position FROM projections.checkpoints WHERE projection = \(PostgresSession.quoteLiteral(projection)) AND target_schema = \(PostgresSession.quoteLiteral(schema))), 'none')"
    }
}
