import CanonicalJSON
import EventLog
import Foundation
import Postgres

/// A projection and the schema it writes to for this run.
public struct ProjectionTarget: Sendable {
    public var projection: any Projection
    public var schema: String

    public init(_ projection: any Projection, schema: String? = nil) {
        self.projection = projection
        self.schema = schema ?? projection.liveSchema
    }
}

/// What one catch-up did for one target.
public struct CatchUpResult: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// Caught up to the requested position.
        case caughtUp
        /// Stopped at an event it cannot apply (see `error`).
        case failed
        /// Its tables were built by another version of the projection: rebuild it.
        case needsRebuild(storedVersion: Int)
        /// Another runner holds it right now.
        case busy
    }
    public var projection: String
    public var schema: String
    public var outcome: Outcome
    public var position: Int64
    public var eventsApplied: Int
    public var error: ProjectionError?
}

/// Progress of a catch-up, for progress displays.
public struct CatchUpProgress: Sendable {
    public var position: Int64
    public var head: Int64
    public var eventsRead: Int
}

/// Folds the log into projections, committing each projection's writes and its new
/// checkpoint in one transaction: a crash at any point leaves every table consistent
/// with its checkpoint, and re-running never applies an event twice.
///
/// Events are read once per batch, decoded and parsed once, and handed to every
/// projection that consumes them. A projection that fails stops at the failing event
/// (everything before it applied, nothing after), with the error recorded against its
/// checkpoint; the others go on.
public struct ProjectionRunner: Sendable {
    public let connection: PostgresConnection
    public let dictionaries: DictionaryStore
    /// Extra connections. With them, each batch is still read and parsed once, then the
    /// projections apply their shares concurrently, one connection each (folding is half
    /// finsync's CPU, half the server's: this keeps both busy).
    public let workers: [PostgresConnection]

    public init(connection: PostgresConnection, dictionaries: DictionaryStore = DictionaryStore(), workers: [PostgresConnection] = []) {
        self.connection = connection
        self.dictionaries = dictionaries
        self.workers = workers
    }

    public func catchUp(_ targets: [ProjectionTarget], upTo: Int64? = nil, batchSize: Int = EventLog.defaultBatchSize,
                        onProgress: (@Sendable (CatchUpProgress) -> Void)? = nil) async throws -> [CatchUpResult] {
        let dictionaries = self.dictionaries
        if !workers.isEmpty && targets.count > 1 {
            return try await catchUpConcurrently(targets, upTo: upTo, batchSize: batchSize, onProgress: onProgress)
        }
        return try await connection.withSession { s in
            try ProjectionRunner.catchUp(targets, upTo: upTo, batchSize: batchSize, session: s, dictionaries: dictionaries, onProgress: onProgress)
        }
    }

    /// Folds the targets batch by batch, each batch applied to every target concurrently
    /// on its own connection. While a batch is applied, the next one is already read and
    /// parsed on the reader's connection (the targets' connections are busy writing), on
    /// the assumption that every target reaches the batch's end; when one does not (an
    /// error, a busy checkpoint) that read is thrown away and the batch read again.
    func catchUpConcurrently(_ targets: [ProjectionTarget], upTo: Int64?, batchSize: Int,
                             onProgress: (@Sendable (CatchUpProgress) -> Void)?) async throws -> [CatchUpResult] {
        let dictionaries = self.dictionaries, connection = self.connection
        // The reader's connection writes only when there are more targets than workers.
        let pool = workers + [connection]
        let start = try await connection.withSession { s in try ProjectionRunner.begin(targets, upTo: upTo, session: s) }
        var (results, active) = (start.0, start.1)
        let head = start.2
        @Sendable func read(_ results: [CatchUpResult], _ active: [Int]) async throws -> (Batch?, [Int]) {
            try await connection.withSession { s in
                var a = active
                let b = try ProjectionRunner.nextBatch(targets, results: results, active: &a, head: head, batchSize: batchSize, session: s, dictionaries: dictionaries)
                return (b, a)
            }
        }
        var eventsRead = 0
        // The read of the batch after the one being applied, and what it assumed. A read
        // that is not used is still awaited, so none outlives this call on the connection.
        var prefetch: (active: [Int], positions: [Int64], task: Task<(Batch?, [Int]), Error>)?
        do {
            while true {
                let next: Batch?
                if let p = prefetch, p.active == active, active.allSatisfy({ results[$0].position == p.positions[$0] }) {
                    (next, active) = try await p.task.value
                } else {
                    if let p = prefetch { _ = try? await p.task.value }
                    (next, active) = try await read(results, active)
                }
                prefetch = nil
                guard let batch = next else { break }
                eventsRead += batch.count
                if batch.undecodable == nil {
                    var assumed = results
                    for i in active { assumed[i].position = max(assumed[i].position, batch.scannedTo) }
                    let stillActive = active
                    prefetch = (active, assumed.map(\.position), Task { [assumed] in try await read(assumed, stillActive) })
                }
                let applied = try await withThrowingTaskGroup(of: (Int, CatchUpResult).self) { group in
                    for (slot, i) in active.enumerated() {
                        let conn = pool[slot % pool.count], target = targets[i], result = results[i], limit = head
                        group.addTask {
                            (i, try await conn.withSession { s in try ProjectionRunner.applyTarget(target, batch: batch, result: result, head: limit, session: s) })
                        }
                    }
                    var out: [(Int, CatchUpResult)] = []
                    for try await x in group { out.append(x) }
                    return out
                }
                for (i, r) in applied { results[i] = r }
                active = active.filter { results[$0].outcome == .caughtUp }
                onProgress?(CatchUpProgress(position: batch.scannedTo, head: head, eventsRead: eventsRead))
            }
        } catch {
            _ = try? await prefetch?.task.value
            throw error
        }
        return results
    }

    /// Creates the target's schema, tables and checkpoint row when missing.
    ///
    /// A target that has its checkpoint row and all its tables is left alone, without
    /// running any DDL: `CREATE INDEX IF NOT EXISTS` takes a SHARE lock on its table even
    /// when the index exists, so re-running the DDL at every catch-up queued behind any open
    /// write to the table and could deadlock with a second runner. A projection's DDL is
    /// part of its version: a new version is rebuilt into freshly created tables.
    public static func prepare(_ target: ProjectionTarget, session s: PostgresSession) throws {
        if try isPrepared(target, session: s) { return }
        try s.transaction { t in
            _ = try t.execute("CREATE SCHEMA IF NOT EXISTS \(PostgresSession.quoteIdentifier(target.schema))")
            try target.projection.createTables(in: ProjectionContext(session: t, schema: target.schema))
            _ = try t.query("INSERT INTO projections.checkpoints (projection, target_schema, version) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                            [.text(target.projection.name), .text(target.schema), PostgresParameter(target.projection.version)])
        }
    }

    /// Whether the target has its checkpoint row and every one of its tables (read from the
    /// catalogue without taking any lock).
    static func isPrepared(_ target: ProjectionTarget, session s: PostgresSession) throws -> Bool {
        try s.query("""
            SELECT EXISTS (SELECT 1 FROM projections.checkpoints WHERE projection = $1 AND target_schema = $2)
               AND NOT EXISTS (SELECT 1 FROM unnest($3::text[]) t WHERE to_regclass(format('%I.%I', $2::text, t)) IS NULL)
            """, [.text(target.projection.name), .text(target.schema), .textArray(target.projection.tables)], prepare: true)[0].bool(0) ?? false
    }

    /// Where a target's checkpoint stands, and which code version built its tables.
    public struct Checkpoint: Sendable, Hashable {
        public var position: Int64
        public var version: Int
    }

    /// The target's checkpoint (position 0 with the code's version when it has none yet).
    public static func checkpoint(_ target: ProjectionTarget, session s: PostgresSession) throws -> Checkpoint {
        let r = try s.query("SELECT position, version FROM projections.checkpoints WHERE projection = $1 AND target_schema = $2",
                            [.text(target.projection.name), .text(target.schema)])
        guard r.count == 1 else { return Checkpoint(position: 0, version: target.projection.version) }
        return Checkpoint(position: r[0].int64(0)!, version: Int(r[0].int64(1)!))
    }

    /// Synchronous catch-up on an open session (used by rebuilds and replays too).
    public static func catchUp(_ targets: [ProjectionTarget], upTo: Int64? = nil, batchSize: Int = EventLog.defaultBatchSize, session s: PostgresSession,
                               dictionaries: DictionaryStore, onProgress: (@Sendable (CatchUpProgress) -> Void)? = nil) throws -> [CatchUpResult] {
        var (results, active, head) = try begin(targets, upTo: upTo, session: s)
        var read = 0
        while true {
            guard let batch = try nextBatch(targets, results: results, active: &active, head: head, batchSize: batchSize, session: s, dictionaries: dictionaries) else { break }
            read += batch.count
            for i in active { results[i] = try applyTarget(targets[i], batch: batch, result: results[i], head: head, session: s) }
            active = active.filter { results[$0].outcome == .caughtUp }
            onProgress?(CatchUpProgress(position: batch.scannedTo, head: head, eventsRead: read))
        }
        return results
    }

    /// One batch of the log, decoded and parsed once for every projection.
    public struct Batch: Sendable {
        public var events: [ProjectedEvent]
        /// The last position this batch covers (the head, when it is the last batch).
        public var scannedTo: Int64
        /// The first event that could not be decoded, if any (everything before it is in `events`).
        public var undecodable: (position: Int64, type: String, message: String)?
        public var count: Int
    }

    /// Prepares every target and reads its checkpoint; returns the results so far, the
    /// targets that can fold, and the position to fold up to.
    static func begin(_ targets: [ProjectionTarget], upTo: Int64?, session s: PostgresSession) throws -> ([CatchUpResult], [Int], Int64) {
        var results: [CatchUpResult] = []
        var active: [Int] = []
        for (i, t) in targets.enumerated() {
            try prepare(t, session: s)
            let c = try checkpoint(t, session: s)
            results.append(CatchUpResult(projection: t.projection.name, schema: t.schema, outcome: .caughtUp, position: c.position, eventsApplied: 0))
            if c.version != t.projection.version {
                results[i].outcome = .needsRebuild(storedVersion: c.version)
            } else {
                active.append(i)
            }
        }
        return (results, active, min(upTo ?? Int64.max, try EventLog.headPosition(session: s)))
    }

    /// The next batch for the active targets, or nil when all are at `head`.
    static func nextBatch(_ targets: [ProjectionTarget], results: [CatchUpResult], active: inout [Int], head: Int64, batchSize: Int,
                          session s: PostgresSession, dictionaries: DictionaryStore) throws -> Batch? {
        guard batchSize >= 1 else { throw ProjectionError(code: .invalidOption, message: "the batch size must be at least 1 (got \(batchSize))") }
        active = active.filter { results[$0].position < head }
        guard let from = active.map({ results[$0].position }).min() else { return nil }
        let types = active.reduce(into: Set<String>()) { $0.formUnion(targets[$1].projection.eventTypes) }
        let rows = try EventLog.readBatch(after: from, upTo: head, limit: batchSize, types: types, session: s, dictionaries: dictionaries)
        var batch = Batch(events: [], scannedTo: rows.count < batchSize ? head : rows.last.map(\.position) ?? head, undecodable: nil, count: rows.count)
        batch.events.reserveCapacity(rows.count)
        for e in rows {
            do { batch.events.append(try ProjectedEvent(decoding: e)) } catch {
                batch.undecodable = (e.position, e.type.name, "\(error)")
                break
            }
        }
        return batch
    }

    /// Applies one target's share of `batch` (in its own transaction on `s`), stopping it
    /// exactly at an event it cannot apply; returns its updated result.
    static func applyTarget(_ t: ProjectionTarget, batch: Batch, result: CatchUpResult, head: Int64, session s: PostgresSession) throws -> CatchUpResult {
        var r = result
        let from = r.position
        let wanted = t.projection.eventTypes
        var events = batch.events.filter { $0.position > from && wanted.contains($0.type) }
        var target = batch.scannedTo
        var failure: ProjectionError? = nil
        if let bad = batch.undecodable, wanted.contains(bad.type), bad.position > from {
            events = events.filter { $0.position < bad.position }
            target = bad.position - 1
            failure = ProjectionError(code: .malformedPayload, message: bad.message, projection: t.projection.name, position: bad.position, eventType: bad.type)
        }
        do {
            guard try applyBatch(events, to: t, from: from, to: target, session: s) else {
                r.outcome = .busy
                r.position = head
                return r
            }
            r.position = target
            r.eventsApplied += events.count
        } catch var error as ProjectionError {
            // Nothing of this batch was applied. Apply what precedes the failing event, so
            // the projection stops exactly there.
            error.projection = t.projection.name
            if let p = error.position, let idx = events.firstIndex(where: { $0.position == p }) {
                let prefix = Array(events[..<idx])
                if try applyBatch(prefix, to: t, from: from, to: p - 1, session: s) {
                    r.position = p - 1
                    r.eventsApplied += prefix.count
                }
            }
            failure = error
        }
        if let failure {
            try recordError(failure, target: t, session: s)
            r.outcome = .failed
            r.error = failure
        }
        return r
    }

    /// Applies `events` and moves the checkpoint from `from` to `to` in one transaction.
    /// Returns false, having written nothing, when another runner holds the target or has
    /// moved its checkpoint since it was read (e.g. a rebuild swapped in newer tables): that
    /// is not an error of the projection, and the next pass goes on from the new checkpoint.
    static func applyBatch(_ events: [ProjectedEvent], to target: ProjectionTarget, from: Int64, to: Int64, session s: PostgresSession) throws -> Bool {
        struct CheckpointMoved: Error {}
        do {
            return try s.transaction { t in
                // Projections are derived data and their checkpoint commits with their rows:
                // a crash can lose the latest batches but never leave them inconsistent, and
                // they are folded again from the checkpoint. So they need not wait for fsync.
                _ = try t.execute("SET LOCAL synchronous_commit = off")
                let lock = try t.query("SELECT pg_try_advisory_xact_lock(hashtext('finsync.projection:' || $1 || '@' || $2))",
                                       [.text(target.projection.name), .text(target.schema)])
                guard lock[0].string(0) == "t" else { return false }
                if !events.isEmpty {
                    try target.projection.apply(events, in: ProjectionContext(session: t, schema: target.schema))
                }
                let moved = try t.query("""
                    UPDATE projections.checkpoints SET position = $3, updated_at = now(), last_error = NULL, error_position = NULL, error_event_type = NULL
                    WHERE projection = $1 AND target_schema = $2 AND position = $4
                    """, [.text(target.projection.name), .text(target.schema), PostgresParameter(to), PostgresParameter(from)], prepare: true)
                guard moved.affectedRows == 1 else { throw CheckpointMoved() }  // rolls the batch back
                return true
            }
        } catch is CheckpointMoved {
            return false
        }
    }

    static func recordError(_ e: ProjectionError, target: ProjectionTarget, session s: PostgresSession) throws {
        _ = try s.query("UPDATE projections.checkpoints SET last_error = $3, error_position = $4, error_event_type = $5, updated_at = now() WHERE projection = $1 AND target_schema = $2",
                        [.text(target.projection.name), .text(target.schema), .text(e.description), PostgresParameter(e.position), PostgresParameter(e.eventType)])
    }
}
