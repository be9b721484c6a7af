import Foundation
import Postgres
import Projections

/// `/readyz`: the database answers, its migrations are current and no projection has
/// stopped on an error. Each check says what is wrong without SQL text or secrets.
struct Readiness: Sendable {
    /// Names of migrations this build needs that the database lacks (nil: cannot tell).
    let pendingMigrations: @Sendable (PostgresSession) throws -> [String]?

    func check(_ pool: ConnectionPool) async -> [Components.Schemas.ReadinessCheck] {
        let pending = pendingMigrations
        do {
            return try await pool.session { s in
                _ = try s.execute("SELECT 1")
                var checks = [Components.Schemas.ReadinessCheck(name: "database", ok: true)]
                let missing = (try? pending(s)) ?? nil
                checks.append(.init(name: "migrations", ok: (missing ?? []).isEmpty,
                                    detail: missing.flatMap { $0.isEmpty ? nil : "missing \($0.joined(separator: ", ")): run `finsync migrate`" }))
                let stopped = try s.query("SELECT projection FROM projections.checkpoints WHERE last_error IS NOT NULL AND target_schema = ANY($1) ORDER BY 1",
                                          [.textArray(ProjectionCatalog.liveTargets.map(\.schema))]).rows.compactMap { $0.string(0) }
                checks.append(.init(name: "projections", ok: stopped.isEmpty,
                                    detail: stopped.isEmpty ? nil : "stopped on an error: \(stopped.joined(separator: ", ")) (see /v1/status)"))
                return checks
            }
        } catch {
            return [.init(name: "database", ok: false, detail: "the database cannot be reached")]
        }
    }
}
