import CanonicalJSON
import Foundation
import Postgres

/// Reads and writes run records in `ingest.runs` and `ingest.run_steps`.
public struct RunStore: Sendable {
    public let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// The advisory-lock key that makes runs exclusive (`hashtext('finsync.ingest.run')` would
    /// do too; a constant is easier to find in `pg_locks`).
    public static let lockKey: Int64 = 7_357_004

    /// Tries to become *the* running sync; true when this session now holds the lock.
    /// The lock is a session lock: it is released by ``unlock()`` or when the process dies.
    public func tryLock() async throws -> Bool {
        try await connection.withSession { s in
            try s.query("SELECT pg_try_advisory_lock($1)", [PostgresParameter(RunStore.lockKey)])[0].bool(0) ?? false
        }
    }

    public func unlock() async throws {
        try await connection.withSession { s in _ = try s.query("SELECT pg_advisory_unlock($1)", [PostgresParameter(RunStore.lockKey)]) }
    }

    /// Marks runs left `running` by a process that died as failed. Only call with the lock held.
    @discardableResult
    public func markAbandoned() async throws -> Int {
        try await connection.withSession { s in
            _ = try s.execute("UPDATE ingest.run_steps SET status = 'failed', finished_at = clock_timestamp(), error = 'abandoned: the process ended during this step' WHERE status = 'running'")
            return try s.execute("UPDATE ingest.runs SET status = 'failed', finished_at = clock_timestamp(), message = 'abandoned: the process ended before the run finished (a later run re-synced)' WHERE status = 'running'").affectedRows
        }
    }

    public func insert(_ run: RunRecord) async throws {
        try await connection.withSession { s in
            _ = try s.query("""
                INSERT INTO ingest.runs (run_id, trigger, status, dry_run, provider_filter, connection_filter, started_at, finished_at, message)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                """, [PostgresParameter(run.runID), .text(run.trigger.rawValue), .text(run.status.rawValue), PostgresParameter(run.dryRun),
                      PostgresParameter(run.providerFilter), PostgresParameter(run.connectionFilter), PostgresParameter(run.startedAt),
                      PostgresParameter(run.finishedAt), PostgresParameter(run.message)])
        }
    }

    public func finish(_ run: RunRecord) async throws {
        try await connection.withSession { s in
            _ = try s.query("""
                UPDATE ingest.runs SET status = $2, finished_at = $3, events_appended = $4, duplicates_skipped = $5, message = $6 WHERE run_id = $1
                """, [PostgresParameter(run.runID), .text(run.status.rawValue), PostgresParameter(run.finishedAt),
                      PostgresParameter(run.eventsAppended), PostgresParameter(run.duplicatesSkipped), PostgresParameter(run.message)])
        }
    }

    public func upsertStep(_ step: StepRecord, runID: UUID) async throws {
        let quota = try JSONValue.parse(Array(JSONEncoder.runRecords.encode(step.quota))).canonicalString
        let notes = JSONValue.array(step.notes.map { .string($0) }).canonicalString
        try await connection.withSession { s in
            _ = try s.query("""
                INSERT INTO ingest.run_steps (run_id, step_no, provider, connection_id, step_key, label, status, started_at, finished_at, events_appended, duplicates_skipped, quota, notes, error)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13::jsonb, $14)
                ON CONFLICT (run_id, step_no) DO UPDATE SET status = EXCLUDED.status, finished_at = EXCLUDED.finished_at,
                    events_appended = EXCLUDED.events_appended, duplicates_skipped = EXCLUDED.duplicates_skipped,
                    quota = EXCLUDED.quota, notes = EXCLUDED.notes, error = EXCLUDED.error
                """, [PostgresParameter(runID), PostgresParameter(step.stepNo), .text(step.provider), .text(step.connectionID), .text(step.key), .text(step.label),
                      .text(step.status.rawValue), PostgresParameter(step.startedAt), PostgresParameter(step.finishedAt), PostgresParameter(step.eventsAppended),
                      PostgresParameter(step.duplicatesSkipped), .text(quota), .text(notes), PostgresParameter(step.error)])
        }
    }

    /// The newest runs first.
    public func recent(limit: Int = 20) async throws -> [RunRecord] {
        try await connection.withSession { s in
            try s.query("SELECT \(RunStore.runColumns) FROM ingest.runs ORDER BY started_at DESC LIMIT $1", [PostgresParameter(limit)], binaryResult: true).rows.map(RunStore.run)
        }
    }

    /// One run with its steps; `id` may be a unique prefix of the run id.
    public func run(_ id: String) async throws -> RunRecord? {
        try await connection.withSession { s in
            let r = try s.query("SELECT \(RunStore.runColumns) FROM ingest.runs WHERE run_id::text LIKE $1 || '%' ORDER BY started_at DESC LIMIT 2", [.text(id.lowercased())], binaryResult: true)
            guard r.count == 1 else { return nil }
            var run = try RunStore.run(r[0])
            let steps = try s.query("""
                SELECT step_no, provider, connection_id, step_key, label, status, started_at, finished_at, events_appended, duplicates_skipped, quota::text, notes::text, error
                FROM ingest.run_steps WHERE run_id = $1 ORDER BY step_no
                """, [PostgresParameter(run.runID)], binaryResult: true)
            run.steps = try steps.rows.map { row in
                let quota = (row.string(10)).flatMap { try? JSONDecoder.runRecords.decode([QuotaStatus].self, from: Data($0.utf8)) } ?? []
                let notes = (row.string(11)).flatMap { try? JSONValue.parse($0).array?.compactMap(\.string) } ?? []
                return StepRecord(stepNo: try row.decode(Int.self, 0), provider: try row.decode(String.self, 1), connectionID: try row.decode(String.self, 2), key: try row.decode(String.self, 3), label: try row.decode(String.self, 4),
                                  status: StepStatus(rawValue: try row.decode(String.self, 5)) ?? .failed, startedAt: try row.decode(Date.self, 6), finishedAt: row.date(7),
                                  eventsAppended: row.int(8) ?? 0, duplicatesSkipped: row.int(9) ?? 0, quota: quota, notes: notes, error: row.string(12))
            }
            return run
        }
    }

    static let runColumns = "run_id, trigger, status, dry_run, provider_filter, connection_filter, started_at, finished_at, events_appended, duplicates_skipped, message"

    static func run(_ row: PostgresRow) throws -> RunRecord {
        RunRecord(runID: try row.decode(UUID.self, 0), trigger: RunRecord.Trigger(rawValue: try row.decode(String.self, 1)) ?? .manual, status: StepStatus(rawValue: try row.decode(String.self, 2)) ?? .failed,
                  dryRun: row.bool(3) ?? false, providerFilter: row.string(4), connectionFilter: row.string(5), startedAt: try row.decode(Date.self, 6), finishedAt: row.date(7),
                  eventsAppended: row.int(8) ?? 0, duplicatesSkipped: row.int(9) ?? 0, message: row.string(10))
    }
}
