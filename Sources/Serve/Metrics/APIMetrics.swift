import CoreMetrics
import Foundation
import Postgres
import Prometheus
import Synchronization

/// The service's metrics, in Prometheus text at `/metrics`, recorded through swift-metrics
/// with swift-prometheus as the backend (a registry of this server's own, not the global
/// bootstrap, so several servers in one process — tests — never share counters).
///
/// HTTP requests and their latency are recorded as they happen (``HTTPMetricsMiddleware``).
/// The rest is read from the database when scraped (``refresh(_:)``): runs by status,
/// events appended by type (counted incrementally past the last position seen), each
/// projection's lag in positions and seconds, days until each consent expires, and
/// spent quotas.
public final class APIMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    /// Events counted so far by type, and the position counted up to.
    private let eventCounts = Mutex<(position: Int64, byType: [String: Int64])>((0, [:]))
    /// The request counter and latency timer of each route, method and status seen, made
    /// once: making them per request (label strings, dimension arrays, the registry's lookup
    /// under its lock) cost more than recording.
    private let requestInstruments = Mutex<[RequestKey: RequestInstruments]>([:])

    private struct RequestKey: Hashable {
        let route: String, method: String, status: Int
    }

    private struct RequestInstruments: Sendable {
        let count: CoreMetrics.Counter
        let duration: CoreMetrics.Timer
    }

    public init() {
        registry = PrometheusCollectorRegistry()
        var f = PrometheusMetricsFactory(registry: registry)
        f.defaultDurationHistogramBuckets = [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                             .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)]
        factory = f
    }

    /// One answered request.
    func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        let key = RequestKey(route: route, method: method, status: status)
        let instruments = requestInstruments.withLock { made in
            if let found = made[key] { return found }
            let dims = [("route", route), ("method", method), ("status", String(status))]
            let new = RequestInstruments(count: CoreMetrics.Counter(label: "finsync_http_requests_total", dimensions: dims, factory: factory),
                                         duration: CoreMetrics.Timer(label: "finsync_http_request_duration_seconds", dimensions: dims, factory: factory))
            made[key] = new
            return new
        }
        instruments.count.increment()
        instruments.duration.recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    private func gauge(_ name: String, _ dims: [(String, String)], _ value: Double) {
        Gauge(label: name, dimensions: dims, factory: factory).record(value)
    }

    /// Reads the database-derived gauges; then the registry holds a current picture.
    func refresh(_ pool: ConnectionPool) async throws {
        let since = eventCounts.withLock { $0.position }
        let snapshot = try await pool.session { s in
            let runs = try s.query("SELECT status, count(*) FROM ingest.runs GROUP BY status").rows.compactMap { r in r.string(0).map { ($0, Double(r.int64(1) ?? 0)) } }
            let events = try s.query("SELECT event_type, count(*), max(position) FROM eventlog.events WHERE position > $1 GROUP BY event_type", [PostgresParameter(since)])
                .rows.compactMap { r in r.string(0).map { ($0, r.int64(1) ?? 0, r.int64(2) ?? 0) } }
            let lag = try s.query("""
                SELECT c.projection, h.last_position - c.position,
                       coalesce(extract(epoch FROM (SELECT recorded_at FROM eventlog.events WHERE position = h.last_position)
                                               - (SELECT recorded_at FROM eventlog.events WHERE position = c.position)), 0)
                FROM projections.checkpoints c CROSS JOIN eventlog.head h WHERE c.target_schema NOT LIKE 'rebuild\\_%' AND c.target_schema NOT LIKE 'replay\\_%'
                """).rows.compactMap { r in r.string(0).map { ($0, Double(r.int64(1) ?? 0), Double(r.string(2) ?? "0") ?? 0) } }
            let consents = try s.query("""
                SELECT provider, provider_connection_id, extract(epoch FROM expires_at - now()) / 86400 FROM connections WHERE expires_at IS NOT NULL
                """).rows.compactMap { r in r.string(0).flatMap { p in r.string(1).map { (p, $0, Double(r.string(2) ?? "0") ?? 0) } } }
            let quotas = try s.query("""
                SELECT provider, subject, scope, (remaining = 0 AND (next_allowed_at IS NULL OR next_allowed_at > now()))::int FROM ingest.quotas
                """).rows.compactMap { r in r.string(0).flatMap { p in r.string(1).flatMap { sub in r.string(2).map { (p, sub, $0, Double(r.int(3) ?? 0)) } } } }
            return (runs, events, lag, consents, quotas)
        }
        for (status, n) in snapshot.0 { gauge("finsync_sync_runs", [("status", status)], n) }
        let counts = eventCounts.withLock { state -> [String: Int64] in
            for (type, n, maxPosition) in snapshot.1 {
                state.byType[type, default: 0] += n
                state.position = max(state.position, maxPosition)
            }
            return state.byType
        }
        for (type, n) in counts { gauge("finsync_events_appended", [("type", type)], Double(n)) }
        for (projection, positions, seconds) in snapshot.2 {
            gauge("finsync_projection_lag_positions", [("projection", projection)], positions)
            gauge("finsync_projection_lag_seconds", [("projection", projection)], seconds)
        }
        for (provider, connection, days) in snapshot.3 { gauge("finsync_consent_days_left", [("provider", provider), ("connection", connection)], days) }
        for (provider, subject, scope, spent) in snapshot.4 { gauge("finsync_quota_exhausted", [("provider", provider), ("subject", subject), ("scope", scope)], spent) }
    }

    /// The Prometheus text exposition.
    func render() -> [UInt8] { registry.emitToBuffer() }
}
